"""Ledger service: the problem ledger (问题台账) and 整改销号制."""
