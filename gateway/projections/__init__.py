"""Read models of the gateway, built from the event store by projector processes."""
