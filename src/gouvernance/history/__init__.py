"""History: the append-only event log and the outbox that side effects are read from."""
