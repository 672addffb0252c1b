"""Serving: hypercorn with one listening socket per worker (`python -m web.serve`).

`hypercorn --workers N` binds one socket in the parent and hands that same socket to every
worker. Each worker's asyncio loop accepts up to 100 connections per wake-up, so whichever
wakes first takes a whole burst of keep-alive connections and keeps them: with 64 wrk
connections, two workers kept only 1.1-1.6 cores busy in about half the runs. Here every
worker binds its own socket with SO_REUSEPORT, and the kernel spreads new connections over
them by hash.

    python -m web.serve --bind HOST:PORT [--workers N] [--access-logfile -] web.asgi:app
"""

from __future__ import annotations

import argparse
import signal
import sys
from multiprocessing import get_context
from multiprocessing.connection import wait
from multiprocessing.synchronize import Event
from typing import Any

from hypercorn.asyncio.run import asyncio_worker
from hypercorn.config import Config
from hypercorn.run import run


def _config(arguments: argparse.Namespace) -> Config:
    config = Config()
    config.application_path = arguments.application
    config.bind = arguments.bind
    config.workers = arguments.workers
    config.accesslog = arguments.access_logfile
    config.errorlog = "-"
    return config


def _worker(config: Config, shutdown_event: Event) -> None:
    # No sockets passed: the worker makes its own from config.bind, and with workers > 1
    # hypercorn sets SO_REUSEPORT on them.
    asyncio_worker(config, sockets=None, shutdown_event=shutdown_event)


def serve(config: Config) -> int:
    """Run the workers until SIGTERM, SIGINT or one of them ends; the first failure's code."""
    if config.workers <= 1:
        return run(config)
    context = get_context("spawn")
    shutdown_event = context.Event()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # inherited: the parent decides shutdown
    workers = [
        context.Process(target=_worker, args=(config, shutdown_event))
        for _ in range(config.workers)
    ]
    for process in workers:
        process.start()

    def stop(*_args: Any) -> None:
        shutdown_event.set()

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    wait([process.sentinel for process in workers])  # a signal, or a worker that died
    shutdown_event.set()  # one gone takes the others down, as hypercorn's own runner does
    for process in workers:
        process.join()
    return next((p.exitcode for p in workers if p.exitcode), 0) or 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m web.serve", description=__doc__)
    parser.add_argument("application", help="the ASGI app, e.g. web.asgi:app")
    parser.add_argument("--bind", "-b", action="append", required=True)
    parser.add_argument("--workers", "-w", type=int, default=1)
    parser.add_argument("--access-logfile", default=None)
    return serve(_config(parser.parse_args(argv)))


if __name__ == "__main__":
    sys.exit(main())
