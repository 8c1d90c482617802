"""Who may see and do what: organisations, users, role grants and API tokens."""
