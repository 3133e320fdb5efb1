"""The domain services: organization, complaints, ledger, evaluation, publicity."""
