"""The pytest-html glue: registered by hooks.py only when pytest-html is installed.

The page's title names the suite, and the banner (which mode produced the report) leads its summary.
"""

from __future__ import annotations

import os
from typing import Any

import pytest

from opscheck.session import Session


class HtmlHooks:
    """pytest-html's own hooks, answered from the session."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def pytest_html_report_title(self, report: Any) -> None:
        report.title = f"opscheck report · {os.environ.get('OPSCHECK_REPORT_TITLE', 'checks')}"

    def pytest_html_results_summary(self, prefix: list[str], summary: list[str], postfix: list[str],
                                    session: pytest.Session) -> None:
        prefix.append(f'<p style="font-size:1.4em;font-weight:bold;background:#fff3cd;padding:8px">'
                      f"{self._session.banner()}</p>")
