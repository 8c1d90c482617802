"""The `gouvernance` command line (Typer)."""
