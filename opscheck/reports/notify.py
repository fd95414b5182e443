"""`--notify URL`: a short summary to a chat webhook when a run fails.

Slack-compatible JSON (`{"text": ...}`), sent only on failure, tried twice
with a timeout each; a dead or hanging webhook is reported in one line and
never changes the run's exit code. The URL may come from OPSCHECK_NOTIFY_URL
so it stays out of command lines and logs; only its host is ever printed.
"""

from __future__ import annotations

import urllib.parse

from opscheck.reports.page import Run

URL_ENV = "OPSCHECK_NOTIFY_URL"
ATTEMPTS = 2
_SHOWN = 5


def message(run: Run, page: str | None) -> dict[str, str]:
    """The chat message: verdict and mode, the failing checks with their first line, where the page is."""
    failing = run.failing()
    lines = [f"*opscheck {run.suite}: {run.verdict}* ({len(failing)} failing) · {run.facts['mode_text']} · "
             f"as of {str(run.facts['as_of'])[:16]}"]
    lines += [f"• {c.title}: {c.message[:200]}" for c in failing[:_SHOWN]]
    if len(failing) > _SHOWN:
        lines.append(f"… and {len(failing) - _SHOWN} more")
    if page:
        lines.append(f"report: {page}")
    return {"text": "\n".join(lines)}


def problem(url: str) -> str | None:
    """What is wrong with a webhook URL, without repeating it (its path is a secret); None: usable."""
    parts = urllib.parse.urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "not an http(s) URL with a host (the value is not shown: a webhook URL is a secret)"
    return None


def host(url: str) -> str:
    """The webhook's host, the only part of it worth printing (its path is a secret)."""
    return urllib.parse.urlsplit(url).hostname or "the webhook"


def send(url: str, run: Run, page: str | None, timeout: float) -> str:
    """Post the message if the run failed; returns the one line to print about it."""
    import requests

    if run.verdict == "PASS":
        return f"opscheck: all passed, nothing sent to {host(url)}"
    problem = ""
    for _attempt in range(ATTEMPTS):
        try:
            response = requests.post(url, json=message(run, page), timeout=timeout)
        except requests.RequestException as exc:
            problem = type(exc).__name__
            continue
        if response.status_code < 300:
            return f"opscheck: failure summary sent to {host(url)}"
        problem = f"HTTP {response.status_code}"
    return f"opscheck: could not notify {host(url)} ({problem}, {ATTEMPTS} attempts); the exit code is unchanged"
