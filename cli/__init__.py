"""The `gouvernance` command line (Typer)."""

from __future__ import annotations

import gc


def main() -> None:
    """The `gouvernance` command. Start-up (importing the commands, then for ``serve`` the runtime and the
    application) allocates objects that live as long as the process and frees almost none: the cyclic
    garbage collector ran 500 times over them for nothing, a sixth of ``serve``'s start. It is off until the
    command runs, and ``serve`` keeps it off until the application's start-up has frozen what it built."""
    gc.disable()
    from gouvernance.cli.app import main as run

    run()
