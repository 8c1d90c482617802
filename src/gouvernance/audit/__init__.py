"""The verifiable register: every event, decision and consultation of an engagement in one hash chain."""
