"""What a backfill shows while it runs: live lines on a terminal, plain lines in a pipeline's log.

On a terminal, each running batch has one line at the bottom, redrawn in place (completed/N, rows
landed, rate, time left), and everything said for good (a step done, a stall) is printed above them.
Anywhere else (a CI log, `| tee`), escape codes would be garbage: each batch's line is printed when its
progress moved and `plain_every` seconds have passed since it was last printed, and once more at the end.
"""

from __future__ import annotations

import os
import shutil
import sys
import threading
import time
from typing import TextIO

from opscheck.views.coordinator import Batch

BAR = 20
_UP_AND_CLEAR = "\x1b[{}F\x1b[J"  # cursor up N lines to column 1, then clear to the end of the screen


def batch_line(label: str, batch: Batch, landed: int, elapsed: float) -> str:
    """One batch's progress: bar, completed/N, rows landed, rate and time left (when it can be told)."""
    share = batch.completed / batch.expected if batch.expected else 1.0
    filled = round(share * BAR)
    rate = batch.completed / elapsed if elapsed > 0 else 0.0
    left = "" if batch.done else (f", about {(batch.expected - batch.completed) / rate:.0f}s left" if rate
                                  else ", time left unknown")
    return (f"{label} [{'#' * filled}{'.' * (BAR - filled)}] {batch.completed}/{batch.expected} done, "
            f"{landed} rows landed, {rate:.1f}/s{left}")


class Progress:
    """Lines of running work and lines said for good, on one stream, from any thread."""

    def __init__(self, stream: TextIO | None = None, plain_every: float = 10.0) -> None:
        self.stream = stream or sys.stdout
        self.live = self.stream.isatty()
        self.plain_every = plain_every
        self._lock = threading.Lock()
        self._lines: dict[str, str] = {}  # running work, in the order it started
        self._drawn = 0
        self._printed: dict[str, tuple[str, float]] = {}  # plain: the last line printed per key, and when

    def show(self, key: str, line: str) -> None:
        """The current line of running work `key` (a batch)."""
        with self._lock:
            self._lines[key] = line
            if self.live:
                self._redraw()
                return
            last, when = self._printed.get(key, ("", float("-inf")))
            if line != last and (key not in self._printed or time.monotonic() - when >= self.plain_every):
                self._printed[key] = (line, time.monotonic())
                self._write(line + "\n")

    def finish(self, key: str, line: str) -> None:
        """Work `key` ended: its live line goes, `line` is said for good (plain: also its last progress)."""
        with self._lock:
            last = self._lines.pop(key, None)
            if not self.live and last is not None and self._printed.get(key, ("",))[0] != last:
                self._write(last + "\n")
            self._printed.pop(key, None)
            self._say(line)

    def say(self, line: str) -> None:
        """A line said for good, above the running work."""
        with self._lock:
            self._say(line)

    def _say(self, line: str) -> None:
        if self.live:
            self._clear()
            self._write(line + "\n")
            self._redraw()
        else:
            self._write(line + "\n")

    def _clear(self) -> None:
        if self._drawn:
            self._write(_UP_AND_CLEAR.format(self._drawn))
            self._drawn = 0

    def _redraw(self) -> None:
        """The running lines again, each cut to the terminal's width (a wrapped line would break the redraw)."""
        self._clear()
        try:
            width = os.get_terminal_size(self.stream.fileno()).columns - 1
        except (OSError, ValueError, AttributeError):
            width = shutil.get_terminal_size((100, 24)).columns - 1
        for line in self._lines.values():
            self._write(line[:width] + "\n")
        self._drawn = len(self._lines)

    def _write(self, text: str) -> None:
        self.stream.write(text)
        self.stream.flush()
