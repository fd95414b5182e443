"""Cleanup that a Ctrl-C cannot cut short.

Probes and the local platform clean up after themselves on success, failure
and Ctrl-C; a second Ctrl-C during that cleanup would leave exactly the
leftovers it exists to remove. Inside `sigint_deferred`, SIGINT is held until
the block ends, then raised.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator


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
