"""A checkout of the platform's own repository: its team doc and its HEAD commit.

Not a Google service, but an outside resource like one: the deploy gate's
expected commit can be the checkout's HEAD, and the team doc whose MODEL
section must match the manifest lives in it. Calls go through the channel,
keyed by the path inside the checkout (never the checkout's location, which
differs per machine), so a recording replays anywhere.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from opscheck import files
from opscheck.config import Config
from opscheck.errors import GatewayError, NotFoundError
from opscheck.platform.channel import Channel

MAX_TEXT_BYTES = 1 << 20  # a doc in the checkout is text a person edits, never more


def folder_problem(path: Path) -> str | None:
    """Why `--platform-repo PATH` cannot be a checkout (it is not a folder), or None."""
    return None if path.expanduser().is_dir() else "not a folder; give a checkout of the platform's repository"


class Checkout:
    """Reads the configured platform checkout (`[repo] path`, or `--platform-repo`)."""

    def __init__(self, config: Config, channel: Channel) -> None:
        self._config = config
        self._channel = channel

    @property
    def root(self) -> Path | None:
        return Path(self._config.repo.path).expanduser() if self._config.repo.path else None

    def read(self, path: str) -> str:
        """The text of `path`, relative to the checkout (or absolute)."""
        text: str = self._channel.call("checkout", "read", {"path": path}, lambda: self._read(path), shape=str)
        return text

    def head(self) -> str:
        """The commit the checkout's HEAD points at."""
        commit: str = self._channel.call("checkout", "head", {}, self._head, shape=str)
        return commit

    def _resolve(self, path: str) -> Path:
        candidate = Path(path).expanduser()
        if candidate.is_absolute():
            return candidate
        if self.root is None:
            raise NotFoundError(f"{path}: relative to the platform checkout, and none is configured "
                                "(--platform-repo PATH or [repo] path in opscheck.toml)")
        return self.root / candidate

    def _read(self, path: str) -> str:
        target = self._resolve(path)
        try:
            return files.read_bounded(target, MAX_TEXT_BYTES).decode("utf-8")
        except FileNotFoundError:
            raise NotFoundError(f"{target}: not found") from None
        except (OSError, UnicodeDecodeError, files.NotAFile) as exc:
            raise GatewayError(f"{target}: cannot be read as text ({exc})") from None

    def _head(self) -> str:
        if self.root is None:
            raise NotFoundError("no platform checkout configured (--platform-repo PATH or [repo] path)")
        try:
            done = subprocess.run(["git", "-C", str(self.root), "rev-parse", "HEAD"], capture_output=True,
                                  text=True, timeout=self._config.endpoints.timeout_seconds, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise GatewayError(f"{self.root}: cannot run git ({exc})") from None
        if done.returncode != 0:  # a checkout was given and is broken: a failure, never "no commit expected"
            reason = (done.stderr.strip().splitlines() or ["not a git checkout"])[-1]
            raise GatewayError(f"{self.root}: no HEAD commit ({reason}); next: give a git checkout of the "
                               "platform's repository (--platform-repo PATH or [repo] path)")
        return done.stdout.strip()
