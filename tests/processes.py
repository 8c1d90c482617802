"""Child processes in tests: whenever a check on one fails, the test shows what it printed (stdout and
stderr), and waits poll for a condition under a generous deadline, never a fixed sleep. On two busy cores a
Python process can take ten times longer to start than on a quiet machine: deadlines are for hangs."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import pytest

T = TypeVar("T")

# Starting the API or the CLI imports FastAPI, SQLAlchemy, Alembic…: seconds on a loaded machine.
START_TIMEOUT = 180.0
RUN_TIMEOUT = 300.0


def _text(value: str | bytes | None) -> str:
    if value is None:
        return ""
    return value.decode("utf-8", errors="replace") if isinstance(value, bytes) else value


def shown(stdout: str | bytes | None, stderr: str | bytes | None = None, limit: int = 6000) -> str:
    """A process's output for a failure message: the end of each stream, labelled."""
    parts = []
    for name, value in (("stdout", stdout), ("stderr", stderr)):
        text = _text(value)
        if text:
            parts.append(f"--- {name} ---\n{text[-limit:]}")
    return "\n".join(parts) or "(no output)"


def _command(args: Sequence[str]) -> str:
    return " ".join(map(str, args))[:300]


def output_of(result: subprocess.CompletedProcess[str] | subprocess.CompletedProcess[bytes]) -> str:
    """For assertion messages: ``assert …, output_of(result)``."""
    return shown(result.stdout, result.stderr)


def run(
    args: Sequence[str],
    *,
    check: bool = True,
    timeout: float = RUN_TIMEOUT,
    text: bool = True,
    **options: Any,
) -> subprocess.CompletedProcess[Any]:
    """``subprocess.run`` with its output captured; a timeout, or a non-zero exit when ``check``, fails the
    test with everything the process printed."""
    try:
        result = subprocess.run(
            list(args), capture_output=True, text=text, timeout=timeout, check=False, **options
        )
    except subprocess.TimeoutExpired as expired:
        pytest.fail(f"{_command(args)} ran over {timeout:.0f} s:\n{shown(expired.stdout, expired.stderr)}")
    if check and result.returncode != 0:
        pytest.fail(f"{_command(args)} exited with {result.returncode}:\n{output_of(result)}")
    return result


def finish(process: subprocess.Popen[str], timeout: float = 60) -> tuple[str, str]:
    """Waits for ``process`` and returns (stdout, stderr); if it does not exit in time, kills it and fails
    the test with its output."""
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        stdout, stderr = process.communicate()
        pytest.fail(f"the process did not exit within {timeout:.0f} s:\n{shown(stdout, stderr)}")
    return _text(stdout), _text(stderr)


def stop(process: subprocess.Popen[str], timeout: float = 60) -> tuple[str, str]:
    """Kills ``process`` if it still runs and returns what it printed, for a failure message."""
    if process.poll() is None:
        process.kill()
    stdout, stderr = process.communicate(timeout=timeout)
    return _text(stdout), _text(stderr)


def eventually(
    condition: Callable[[], T],
    *,
    timeout: float = START_TIMEOUT,
    interval: float = 0.05,
    what: str = "the condition",
    details: Callable[[], str] = lambda: "",
) -> T:
    """Polls ``condition`` until it returns something truthy, and returns it; fails after ``timeout``
    seconds with ``details()`` (a process's output, say)."""
    deadline = time.monotonic() + timeout
    while not (value := condition()):
        if time.monotonic() > deadline:
            pytest.fail(f"{what} did not happen within {timeout:.0f} s\n{details()}")
        time.sleep(interval)
    return value
