"""The gateway: the system's HTTP front door (today liveness and readiness only)."""
