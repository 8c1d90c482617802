"""`python -m gouvernance` is the `gouvernance` command."""

from gouvernance.cli import main

main()
