"""Serving the API with uvicorn: one process, or several worker processes under a small supervisor.

With several workers, each one opens its own listening socket on the same address (``SO_REUSEPORT``), so the
kernel spreads new connections across them. uvicorn's own ``--workers`` shares one socket instead, and the
first worker to wake up accepts a whole burst of connections and keeps them for their lifetime: with 16
keep-alive clients, one of two workers did three quarters of the work while the other idled.

Several workers only make sense on PostgreSQL. SQLite lets one process write at a time, and writers of other
processes wait in SQLite's busy handler, which polls with growing sleeps; one worker queues its writers in
order instead (see the write lock in ``app.py``).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import wait
from multiprocessing.process import BaseProcess
from types import FrameType

import uvicorn
from fastapi import FastAPI

from gouvernance.errors import InvalidInput, Message

log = logging.getLogger("gouvernance.server")

AppFactory = Callable[[], FastAPI]
# A worker that dies this soon after starting is not restarted: it would only die again (a bad setting,
# a port taken by another program) and fill the log.
MIN_WORKER_LIFETIME_SECONDS = 5.0


@dataclass(frozen=True)
class ServeOptions:
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    log_level: str = "info"
    access_log: bool = True


def check_workers(workers: int, dialect: str) -> None:
    if workers < 1:
        raise InvalidInput(
            Message(
                "serve.workers",
                f"--workers doit valoir au moins 1 (reçu : {workers}).",
                f"--workers must be at least 1 (got {workers}).",
            )
        )
    if workers > 1 and dialect == "sqlite":
        raise InvalidInput(
            Message(
                "serve.workers_sqlite",
                "Plusieurs processus (--workers) demandent PostgreSQL : SQLite n'accepte qu'un écrivain à la "
                "fois. Gardez --workers 1, ou définissez GOUVERNANCE_DATABASE_URL=postgresql://…",
                "Several worker processes (--workers) need PostgreSQL: SQLite accepts one writer at a time. "
                "Keep --workers 1, or set GOUVERNANCE_DATABASE_URL=postgresql://…",
            )
        )
    if workers > 1 and not hasattr(socket, "SO_REUSEPORT"):
        raise InvalidInput(
            Message(
                "serve.workers_platform",
                "Plusieurs processus (--workers) demandent SO_REUSEPORT (Linux) ; gardez --workers 1.",
                "Several worker processes (--workers) need SO_REUSEPORT (Linux); keep --workers 1.",
            )
        )


def serve(factory: AppFactory, options: ServeOptions) -> None:
    """Runs until interrupted. ``factory`` builds the application; with several workers, each worker calls
    it after the fork, so that no database connection is shared between processes."""
    if options.workers == 1:
        uvicorn.run(
            factory(),
            host=options.host,
            port=options.port,
            log_level=options.log_level,
            access_log=options.access_log,
        )
        return
    Supervisor(factory, options).run()


def listening_socket(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.listen(2048)
    return sock


def _worker(factory: AppFactory, options: ServeOptions, sock: socket.socket) -> None:
    config = uvicorn.Config(
        factory(), log_level=options.log_level, access_log=options.access_log, host=options.host
    )
    uvicorn.Server(config).run(sockets=[sock])


class Supervisor:
    """Starts the workers, restarts one that dies, and stops them all on SIGINT or SIGTERM."""

    def __init__(self, factory: AppFactory, options: ServeOptions) -> None:
        self.factory, self.options = factory, options
        # fork, not spawn: the factory may be a closure over the command line's settings.
        self._context = multiprocessing.get_context("fork")
        self._workers: dict[int, tuple[BaseProcess, float]] = {}
        self._stopping = False

    def run(self) -> None:
        # Bind once here first, so that a port already in use is reported before any worker starts. Closed
        # before the fork: a listening socket left open in a worker would take its share of the connections
        # and never accept them.
        listening_socket(self.options.host, self.options.port).close()
        previous = {sig: signal.signal(sig, self._stop) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            for slot in range(self.options.workers):
                self._start(slot)
            log.info("%d processus de l'API, PID %d", self.options.workers, os.getpid())
            self._watch()
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            self._terminate()

    def _start(self, slot: int) -> None:
        process = self._context.Process(target=self._run_worker, name=f"gouvernance-api-{slot}", daemon=False)
        process.start()
        self._workers[slot] = (process, time.monotonic())

    def _run_worker(self) -> None:
        # The parent's handlers were inherited by the fork; uvicorn installs its own once it runs.
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        _worker(self.factory, self.options, listening_socket(self.options.host, self.options.port))

    def _watch(self) -> None:
        while not self._stopping:
            sentinels = {process.sentinel: slot for slot, (process, _) in self._workers.items()}
            for sentinel in wait(list(sentinels), timeout=1.0):
                slot = sentinels[sentinel]  # type: ignore[index]
                process, started = self._workers[slot]
                process.join()
                if self._stopping:
                    return
                lived = time.monotonic() - started
                if lived < MIN_WORKER_LIFETIME_SECONDS:
                    log.error(
                        "Le processus %s s'est arrêté %.1f s après son démarrage (code %s) : "
                        "arrêt du serveur.",
                        process.name,
                        lived,
                        process.exitcode,
                    )
                    self._stopping = True
                    raise SystemExit(1)
                log.warning(
                    "Le processus %s s'est arrêté (code %s) : redémarrage.", process.name, process.exitcode
                )
                self._start(slot)

    def _stop(self, signum: int, _frame: FrameType | None) -> None:
        self._stopping = True

    def _terminate(self) -> None:
        self._stopping = True
        for process, _ in self._workers.values():
            if process.is_alive():
                process.terminate()  # SIGTERM: uvicorn finishes the requests in flight, then exits
        for process, _ in self._workers.values():
            process.join(timeout=30)
            if process.is_alive():
                process.kill()
                process.join()
