"""Cleanup that a Ctrl-C cannot cut short.

Probes and the local platform clean up after themselves on success, failure
and Ctrl-C; a second Ctrl-C during that cleanup would leave exactly the
leftovers it exists to remove. Inside `sigint_deferred`, SIGINT is held until
the block ends, then raised. Inside `sigint_stops`, the first Ctrl-C asks long work (a backfill) to stop
after what it is doing, so it can say what it did and what it did not.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from collections.abc import Iterator
from typing import Any


@contextlib.contextmanager
def sigint_deferred() -> Iterator[None]:
    """Let the block finish even if Ctrl-C arrives meanwhile, then raise KeyboardInterrupt."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda number, frame: caught.append(number))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if caught:
        raise KeyboardInterrupt


@contextlib.contextmanager
def sigint_stops(stop: threading.Event, message: str) -> Iterator[threading.Event]:
    """Within the block, a first Ctrl-C sets `stop` (work ends after the request in flight) and writes `message`
    to stderr; a second one interrupts at once. Outside the main thread signals cannot be caught: `stop` is then
    only set by its owner.

    The handler takes no lock: it runs in the main thread between two bytecodes, perhaps while that thread
    holds the display's lock, and waiting for it there would never end.
    """
    if threading.current_thread() is not threading.main_thread():
        yield stop
        return

    def first(number: int, frame: Any) -> None:
        if stop.is_set():
            raise KeyboardInterrupt
        stop.set()
        os.write(2, f"\n{message}\n".encode())

    previous = signal.signal(signal.SIGINT, first)
    try:
        yield stop
    finally:
        signal.signal(signal.SIGINT, previous)
