"""Test-only helpers: subprocesses, broker queues, store shortcuts, Nameko services."""
