"""Organization service: the org chart, accounts and the campaign calendar."""
