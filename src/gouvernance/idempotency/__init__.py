"""Idempotency keys: a retried request gets the stored response instead of writing again."""
