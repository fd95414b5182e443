"""The scrapers service: in production it fetches lines and box scores.

Here the season's lines and box scores are seeded, so this process only has to
exist, answer its health check and carry a revision: enough for the checks on
service health and deployed commits to see it.
"""

from __future__ import annotations

from opscheck.sandbox.services import App, health


def build() -> App:
    app = App("scrapers")
    health(app)
    return app
