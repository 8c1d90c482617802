"""Persistence plumbing: the declarative base, engines and transactions, and Alembic migrations."""
