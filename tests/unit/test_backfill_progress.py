"""The backfill's progress display: what a terminal shows (read through a terminal emulator) and plain lines."""

from __future__ import annotations

import datetime as dt
import fcntl
import io
import os
import pty
import signal
import struct
import termios
import threading
import time
from collections.abc import Iterator

import pyte
import pytest

from opscheck.backfill.progress import Progress, batch_line
from opscheck.signals import sigint_stops
from opscheck.views.coordinator import Batch

START = dt.datetime(2026, 2, 9, 12, 0, tzinfo=dt.UTC)
COLUMNS = 60


def batch(completed: int, expected: int = 48) -> Batch:
    return Batch("batch-20260209-1", "2026-02-09", expected, completed, START, START)


def test_a_batch_line_says_progress_rows_rate_and_time_left() -> None:
    line = batch_line("2026-02-09 predictions", batch(12), landed=11, elapsed=6.0)
    assert line == ("2026-02-09 predictions [#####...............] 12/48 done, 11 rows landed, 2.0/s, "
                    "about 18s left")
    assert batch_line("x", batch(0), landed=0, elapsed=3.0).endswith("0.0/s, time left unknown")
    assert batch_line("x", batch(48), landed=48, elapsed=12.0).endswith("48/48 done, 48 rows landed, 4.0/s")


class Terminal:
    """A pseudo-terminal COLUMNS wide read through a terminal emulator: the display writes to its slave end."""

    def __init__(self) -> None:
        self.master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, COLUMNS, 0, 0))
        self.stream = io.TextIOWrapper(os.fdopen(slave, "wb", buffering=0), encoding="utf-8", write_through=True)
        self.screen = pyte.Screen(COLUMNS, 24)
        self._feed = pyte.ByteStream(self.screen)
        os.set_blocking(self.master, False)

    def shown(self) -> list[str]:
        """The lines the terminal shows after everything written so far (blank ones dropped)."""
        while True:
            try:
                chunk = os.read(self.master, 65536)
            except BlockingIOError:
                break
            self._feed.feed(chunk)
        return [line.rstrip() for line in self.screen.display if line.strip()]

    def close(self) -> None:
        self.stream.close()
        os.close(self.master)


@pytest.fixture
def terminal() -> Iterator[Terminal]:
    opened = Terminal()
    try:
        yield opened
    finally:
        opened.close()


def test_on_a_terminal_running_batches_are_redrawn_in_place_below_what_was_said(
    terminal: Terminal,
) -> None:
    progress = Progress(terminal.stream)
    assert progress.live
    progress.show("a", "batch a 0/48")
    progress.show("b", "batch b 0/24")
    progress.say("2026-02-01 subsets: materialized")
    progress.show("a", "batch a 30/48")
    progress.show("b", "batch b " + "x" * 200)  # wider than the terminal: cut, or the redraw would go astray
    progress.show("b", "batch b 12/24")
    assert terminal.shown() == ["2026-02-01 subsets: materialized", "batch a 30/48", "batch b 12/24"]
    progress.finish("a", "batch a 48/48: done in 9s")
    assert terminal.shown() == ["2026-02-01 subsets: materialized", "batch a 48/48: done in 9s", "batch b 12/24"]


def test_a_line_wider_than_the_terminal_is_cut_to_one_row(terminal: Terminal) -> None:
    progress = Progress(terminal.stream)
    progress.show("b", "batch b " + "x" * 200)
    shown = terminal.shown()
    assert len(shown) == 1 and shown[0].startswith("batch b xxx") and len(shown[0]) == COLUMNS - 1


def test_elsewhere_plain_lines_at_most_every_plain_every_seconds_and_the_last_one_at_the_end() -> None:
    out = io.StringIO()
    progress = Progress(out, plain_every=3600)
    assert not progress.live
    progress.show("a", "batch a 0/48")
    progress.show("a", "batch a 10/48")  # within plain_every of the last line: not printed
    progress.show("a", "batch a 20/48")
    progress.say("2026-02-01 subsets: materialized")
    progress.finish("a", "batch a 48/48: done")
    assert out.getvalue().splitlines() == ["batch a 0/48", "2026-02-01 subsets: materialized", "batch a 20/48",
                                           "batch a 48/48: done"]
    assert "\x1b" not in out.getvalue() and "\r" not in out.getvalue()


def test_plain_lines_repeat_only_when_progress_moved() -> None:
    out = io.StringIO()
    progress = Progress(out, plain_every=0)
    for line in ("batch a 0/48", "batch a 0/48", "batch a 5/48", "batch a 5/48"):
        progress.show("a", line)
    progress.finish("a", "batch a stalled")
    assert out.getvalue().splitlines() == ["batch a 0/48", "batch a 5/48", "batch a stalled"]


def test_a_ctrl_c_while_the_display_draws_stops_the_work_without_waiting_for_the_display(
    capfd: pytest.CaptureFixture[str],
) -> None:
    """The handler runs in the main thread, perhaps mid-draw with the display's lock held: it must not wait for it
    (it once did, through Progress.say, and the backfill never ended)."""
    progress, stop = Progress(io.StringIO()), threading.Event()
    with sigint_stops(stop, "Ctrl-C: stopping after the request in flight"):
        with progress._lock:  # the main thread is drawing
            os.kill(os.getpid(), signal.SIGINT)
            assert stop.wait(5)
        with pytest.raises(KeyboardInterrupt):  # a second Ctrl-C stops at once
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(5)
    assert "Ctrl-C: stopping after the request in flight" in capfd.readouterr().err
