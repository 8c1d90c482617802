"""Lifecycles: the state machines of steps (one per kind of behaviour) and of engagements."""
