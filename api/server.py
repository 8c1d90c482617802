"""Serving the API with uvicorn: one process, or several worker processes under a small supervisor.

With several workers, the supervisor alone listens: it accepts each connection and hands it to the workers
in turn (the descriptor passes over a Unix socket), so that each worker gets its share of the connections.
Letting the kernel choose instead is uneven with few long-lived connections: with one shared socket
(uvicorn's ``--workers``) the first worker to wake up accepts a whole burst and keeps it; with one socket
per worker (``SO_REUSEPORT``) the split follows a hash of the client's address, and 16 keep-alive clients
measured 6/10, 5/11 and 3/13 splits, the busier worker setting the slowest latencies (p99 48 ms at 7/9,
72 ms at 3/13). A worker is one core at most (the GIL), so balance is what spreads the load.

Several workers only make sense on PostgreSQL. SQLite lets one process write at a time, and writers of other
processes wait in SQLite's busy handler, which polls with growing sleeps; one worker queues its writers in
order instead (see the write lock in ``app.py``).
"""

from __future__ import annotations

import asyncio
import functools
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
from typing import Any

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
    if workers > 1 and not (hasattr(socket, "send_fds") and hasattr(os, "fork")):
        raise InvalidInput(
            Message(
                "serve.workers_platform",
                "Plusieurs processus (--workers) demandent un système Unix ; gardez --workers 1.",
                "Several worker processes (--workers) need a Unix system; keep --workers 1.",
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
    sock.bind((host, port))
    sock.listen(2048)
    return sock


class HandedConnectionsServer(uvicorn.Server):
    """A uvicorn server that listens on no socket of its own: it serves the connections the supervisor
    accepted and hands over through ``channel``."""

    def __init__(self, config: uvicorn.Config, channel: socket.socket) -> None:
        super().__init__(config)
        self.channel = channel

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=[])
        loop = asyncio.get_running_loop()
        # The same protocol uvicorn builds for the connections it accepts itself.
        protocol = functools.partial(
            self.config.http_protocol_class,  # type: ignore[call-arg]
            config=self.config,
            server_state=self.server_state,
            app_state=self.lifespan.state,
        )
        self.channel.setblocking(False)
        pending: set[asyncio.Task[Any]] = set()

        def receive() -> None:
            try:
                _, descriptors, _, _ = socket.recv_fds(self.channel, 1, 64)
            except BlockingIOError:
                return
            if not descriptors:  # the supervisor is gone
                loop.remove_reader(self.channel.fileno())
                self.should_exit = True
                return
            for descriptor in descriptors:
                connection = socket.socket(fileno=descriptor)
                connection.setblocking(False)
                task = loop.create_task(loop.connect_accepted_socket(protocol, connection))
                pending.add(task)  # the loop keeps only a weak reference to a task
                task.add_done_callback(pending.discard)

        loop.add_reader(self.channel.fileno(), receive)


def _worker(factory: AppFactory, options: ServeOptions, channel: socket.socket) -> None:
    config = uvicorn.Config(
        factory(), log_level=options.log_level, access_log=options.access_log, host=options.host
    )
    HandedConnectionsServer(config, channel).run()


class Supervisor:
    """Accepts the connections and hands them to the workers in turn; restarts a worker that dies; stops them
    all on SIGINT or SIGTERM."""

    def __init__(self, factory: AppFactory, options: ServeOptions) -> None:
        self.factory, self.options = factory, options
        # fork, not spawn: the factory may be a closure over the command line's settings.
        self._context = multiprocessing.get_context("fork")
        self._workers: dict[int, tuple[BaseProcess, float, socket.socket]] = {}
        self._stopping = False
        self._turn = 0

    def run(self) -> None:
        listener = listening_socket(self.options.host, self.options.port)
        listener.setblocking(False)
        previous = {sig: signal.signal(sig, self._stop) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            for slot in range(self.options.workers):
                self._start(slot)
            log.info("%d processus de l'API, PID %d", self.options.workers, os.getpid())
            self._serve(listener)
        finally:
            listener.close()
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            self._terminate()

    def _start(self, slot: int) -> None:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        process = self._context.Process(
            target=self._run_worker, args=(theirs, ours), name=f"gouvernance-api-{slot}", daemon=False
        )
        process.start()
        theirs.close()
        self._workers[slot] = (process, time.monotonic(), ours)

    def _run_worker(self, channel: socket.socket, parents_end: socket.socket) -> None:
        parents_end.close()
        for _, _, other in self._workers.values():  # the other workers' channels, inherited by the fork
            other.close()
        # The parent's handlers were inherited by the fork; uvicorn installs its own once it runs.
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        _worker(self.factory, self.options, channel)

    def _serve(self, listener: socket.socket) -> None:
        while not self._stopping:
            sentinels = {process.sentinel: slot for slot, (process, _, _) in self._workers.items()}
            for ready in wait([listener, *sentinels], timeout=1.0):
                if ready is listener:
                    self._hand_over(listener)
                else:
                    self._replace(sentinels[ready])  # type: ignore[index]
                if self._stopping:
                    return

    def _hand_over(self, listener: socket.socket) -> None:
        while True:
            try:
                connection, _ = listener.accept()
            except (BlockingIOError, InterruptedError):
                return
            with connection:
                for _ in range(len(self._workers)):
                    slot = self._turn % len(self._workers)
                    self._turn += 1
                    try:
                        socket.send_fds(self._workers[slot][2], [b"c"], [connection.fileno()])
                        break
                    except OSError:  # that worker is going away; the next one takes the connection
                        continue

    def _replace(self, slot: int) -> None:
        process, started, channel = self._workers[slot]
        process.join()
        channel.close()
        if self._stopping:
            return
        lived = time.monotonic() - started
        if lived < MIN_WORKER_LIFETIME_SECONDS:
            log.error(
                "Le processus %s s'est arrêté %.1f s après son démarrage (code %s) : arrêt du serveur.",
                process.name,
                lived,
                process.exitcode,
            )
            self._stopping = True
            raise SystemExit(1)
        log.warning("Le processus %s s'est arrêté (code %s) : redémarrage.", process.name, process.exitcode)
        self._start(slot)

    def _stop(self, signum: int, _frame: FrameType | None) -> None:
        self._stopping = True

    def _terminate(self) -> None:
        self._stopping = True
        for process, _, _ in self._workers.values():
            if process.is_alive():
                process.terminate()  # SIGTERM: uvicorn finishes the requests in flight, then exits
        for process, _, channel in self._workers.values():
            process.join(timeout=30)
            if process.is_alive():
                process.kill()
                process.join()
            channel.close()
