"""`python -m gouvernance` is the `gouvernance` command."""

from gouvernance.cli.app import main

main()
