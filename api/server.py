"""Serving the API with uvicorn: one process, or several worker processes with uvicorn's own ``workers``.

With several workers, uvicorn binds the socket, starts each worker (which builds its own application from
the settings in the environment: no database connection crosses a process), restarts a worker that dies,
stops the server when a worker cannot start, and stops them all on SIGINT or SIGTERM. The workers share one
listening socket and the kernel decides who accepts: with a few long-lived keep-alive clients, the split can
be uneven. To spread connections evenly, run one ``gouvernance serve`` per port behind a reverse proxy that
balances them (``least_conn`` in nginx, see ``deploy/nginx.conf``).

Several workers only make sense on PostgreSQL. SQLite lets one process write at a time, and writers of other
processes wait in SQLite's busy handler, which polls with growing sleeps; one worker queues its writers in
order instead (see the write lock in ``app.py``).
"""

import errno
import logging
import socket
import sys
from dataclasses import dataclass

import uvicorn
from fastapi import FastAPI
from uvicorn.config import STARTUP_FAILURE
from uvicorn.supervisors import Multiprocess

from gouvernance.api.app import create_app
from gouvernance.api.logs import logging_config
from gouvernance.errors import InvalidInput, Message

log = logging.getLogger("gouvernance.server")

# What each of uvicorn's worker processes imports and calls to build its application.
APP_FACTORY = "gouvernance.api.server:app_from_environment"


@dataclass(frozen=True)
class ServeOptions:
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    log_level: str = "info"
    access_log: bool = True
    # How long an idle keep-alive connection stays open (GOUVERNANCE_KEEP_ALIVE_SECONDS, uvicorn's default).
    keep_alive_seconds: int = 5
    # The proxies whose X-Forwarded-For and -Proto uvicorn believes (GOUVERNANCE_FORWARDED_ALLOW_IPS,
    # uvicorn's --forwarded-allow-ips: addresses or networks, comma-separated, or "*"). Behind them,
    # ``request.client.host`` is the real client: the sign-in throttle counts per client, not per proxy.
    forwarded_allow_ips: str = "127.0.0.1"


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


def app_from_environment() -> FastAPI:
    """The application of one worker process, from the settings in the environment. A worker that cannot
    build it exits with uvicorn's start-up failure code, on which uvicorn stops the server: restarting the
    worker would only fail again (a bad setting) and fill the log."""
    try:
        return create_app()
    except Exception:
        log.exception("L'API n'a pas pu démarrer dans ce processus.")
        raise SystemExit(STARTUP_FAILURE) from None


BACKLOG = 2048


def bind(host: str, port: int) -> socket.socket:
    """The listening address, taken before anything is printed or prepared: a busy port is said in French,
    with the way to choose another, rather than by uvicorn once the demo's tokens are out."""
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as error:
        sock.close()
        raise InvalidInput(_bind_problem(error, host, port)) from None
    # Listening at once: a client that connects while the application starts waits in the queue instead of
    # being refused (uvicorn listens only after the application's start-up). uvicorn's own backlog.
    sock.listen(BACKLOG)
    sock.set_inheritable(True)  # uvicorn's worker processes serve it too
    return sock


def _bind_problem(error: OSError, host: str, port: int) -> Message:
    details = {"host": host, "port": port, "errno": error.errno}
    other = port + 1 if port < 65535 else 8001
    if error.errno == errno.EADDRINUSE:
        return Message(
            "serve.port_busy",
            f"Le port {port} est déjà utilisé sur {host} (un autre « gouvernance serve » ?). Arrêtez ce "
            f"programme, ou choisissez un autre port : gouvernance serve --port {other}.",
            f"Port {port} is already in use on {host} (another 'gouvernance serve'?). Stop that program, or "
            f"choose another port: gouvernance serve --port {other}.",
            "port",
            details,
        )
    if error.errno == errno.EACCES:
        return Message(
            "serve.port_forbidden",
            f"Ce compte n'a pas le droit d'écouter sur le port {port} ({host}) : les ports sous 1024 sont "
            "réservés à l'administrateur. Choisissez-en un autre : gouvernance serve --port 8000.",
            f"This account may not listen on port {port} ({host}): ports below 1024 are reserved to the "
            "administrator. Choose another: gouvernance serve --port 8000.",
            "port",
            details,
        )
    return Message(
        "serve.cannot_listen",
        f"Impossible d'écouter sur {host}:{port} ({error.strerror}). Vérifiez --host et --port.",
        f"Cannot listen on {host}:{port} ({error.strerror}). Check --host and --port.",
        "host",
        details,
    )


def uvicorn_config(options: ServeOptions, target: FastAPI | str) -> uvicorn.Config:
    """uvicorn's configuration for ``options``, serving ``target`` (an application, or the factory's path)."""
    return uvicorn.Config(
        target,
        factory=isinstance(target, str),
        workers=options.workers,
        host=options.host,
        port=options.port,
        log_config=logging_config(),
        log_level=options.log_level,
        access_log=options.access_log,
        # nginx's upstream keepalive_timeout (deploy/nginx.conf) must stay below it.
        timeout_keep_alive=options.keep_alive_seconds,
        proxy_headers=True,
        forwarded_allow_ips=options.forwarded_allow_ips,
    )


def serve(options: ServeOptions, app: FastAPI | None = None, sock: socket.socket | None = None) -> None:
    """Runs until interrupted, on ``sock`` (bound with ``bind``; bound here if not given). With one process,
    serves ``app`` if given; otherwise, and with several processes, each of uvicorn's workers builds its own
    with ``app_from_environment``."""
    sock = sock if sock is not None else bind(options.host, options.port)
    target: FastAPI | str = app if app is not None and options.workers == 1 else APP_FACTORY
    config = uvicorn_config(options, target)  # also sets up uvicorn's logging
    server = uvicorn.Server(config)
    # uvicorn says where it listens only when it binds the socket itself; this one was bound before (so that a
    # busy port is said first, in French): say it here, in the same log.
    host, port = sock.getsockname()[:2]
    logging.getLogger("uvicorn.error").info(
        "gouvernance écoute sur http://%s:%d (%d processus ; Ctrl+C pour arrêter)",
        host,
        port,
        options.workers,
    )
    try:
        if options.workers > 1:
            Multiprocess(config, sockets=[sock]).run()
        else:
            server.run(sockets=[sock])
    except KeyboardInterrupt:
        pass
    finally:
        sock.close()
    if options.workers == 1 and not server.started:
        sys.exit(STARTUP_FAILURE)
