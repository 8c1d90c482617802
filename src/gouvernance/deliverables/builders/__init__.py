"""Builders: one per deliverable kind, each turning a plain context dict into a ``DeliverableDocument``."""
