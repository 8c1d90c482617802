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
import contextlib
import functools
import logging
import multiprocessing
import os
import signal
import socket
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
READY = b"r"  # a worker tells the supervisor it has started up, over its channel


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
        self.channel.send(READY)
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


@dataclass
class Worker:
    process: BaseProcess
    channel: socket.socket  # the supervisor's end: connections go out, READY comes back
    ready: bool = False


class Supervisor:
    """Accepts the connections and hands them to the workers in turn; restarts a worker that dies; stops them
    all on SIGINT or SIGTERM."""

    def __init__(self, factory: AppFactory, options: ServeOptions) -> None:
        self.factory, self.options = factory, options
        # fork, not spawn: the factory may be a closure over the command line's settings.
        self._context = multiprocessing.get_context("fork")
        self._workers: dict[int, Worker] = {}
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
        ours.setblocking(False)  # a worker that stopped reading must not stall the supervisor
        self._workers[slot] = Worker(process, ours)

    def _run_worker(self, channel: socket.socket, parents_end: socket.socket) -> None:
        parents_end.close()
        for other in self._workers.values():  # the other workers' channels, inherited by the fork
            other.channel.close()
        # The parent's handlers were inherited by the fork; uvicorn installs its own once it runs.
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        _worker(self.factory, self.options, channel)

    def _serve(self, listener: socket.socket) -> None:
        while not self._stopping:
            sentinels = {worker.process.sentinel: slot for slot, worker in self._workers.items()}
            starting = {worker.channel: worker for worker in self._workers.values() if not worker.ready}
            for ready in wait([listener, *sentinels, *starting], timeout=1.0):
                if ready is listener:
                    self._hand_over(listener)
                elif ready in starting:
                    worker = starting[ready]
                    with contextlib.suppress(BlockingIOError):
                        worker.ready = worker.channel.recv(1) == READY
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
                        socket.send_fds(self._workers[slot].channel, [b"c"], [connection.fileno()])
                        break
                    except OSError:  # that worker is going away; the next one takes the connection
                        continue

    def _replace(self, slot: int) -> None:
        worker = self._workers[slot]
        worker.process.join()
        worker.channel.close()
        if self._stopping:
            return
        name, code = worker.process.name, worker.process.exitcode
        if not worker.ready:
            # It died while starting up: a restart would only die again (a bad setting, the database
            # unreachable) and fill the log.
            log.error("Le processus %s s'est arrêté au démarrage (code %s) : arrêt du serveur.", name, code)
            self._stopping = True
            raise SystemExit(1)
        log.warning("Le processus %s s'est arrêté (code %s) : redémarrage.", name, code)
        self._start(slot)

    def _stop(self, signum: int, _frame: FrameType | None) -> None:
        self._stopping = True

    def _terminate(self) -> None:
        self._stopping = True
        for worker in self._workers.values():
            if worker.process.is_alive():
                worker.process.terminate()  # SIGTERM: uvicorn finishes the requests in flight, then exits
        for worker in self._workers.values():
            worker.process.join(timeout=30)
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join()
            worker.channel.close()
