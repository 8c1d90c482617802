"""Evidence attached to steps: files (stored content-addressed) and links."""
