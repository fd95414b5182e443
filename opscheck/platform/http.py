"""HTTP to the platform's services: ID token when live, a timeout on every call.

The result keeps status, latency and body because a health check's evidence
is exactly that; a port that does not answer raises UnreachableError within
the timeout instead of hanging the morning run.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypedDict

from opscheck.config import Config
from opscheck.errors import UnreachableError, UnresolvedHostError
from opscheck.platform import auth
from opscheck.platform.channel import Channel, Json, cannot_resolve, unresolved_host
from opscheck.platform.shapes import Count, Number

if TYPE_CHECKING:  # imported lazily: offline runs never need it, and it costs startup time
    import requests

_BODY_LIMIT = 8192
DENIED = (401, 403)
"""What Cloud Run's IAM answers a caller without roles/run.invoker (no token, or one it may not use)."""


def may_not_call(config: Config, service: str, status: int) -> str:
    """The words for a service that refused opscheck: retrying cannot help, a role can."""
    return f"HTTP {status}: opscheck may not call it: grant roles/run.invoker on {service} to {auth.identity(config)}"


class HttpResult(TypedDict):
    method: str
    url: str
    status: Count
    latency_ms: Number
    body: str


class Http:
    """Calls the platform's services."""

    def __init__(self, config: Config, channel: Channel) -> None:
        self._config = config
        self._channel = channel

    @functools.cached_property
    def _id_tokens(self) -> auth.IdTokens:
        return auth.IdTokens(self._config)

    @functools.cached_property
    def _session(self) -> requests.Session:
        import requests

        return requests.Session()

    def get(self, base_url: str, path: str, timeout: float | None = None) -> HttpResult:
        return self._request("GET", base_url, path, None, timeout)

    def post(
        self, base_url: str, path: str, body: Mapping[str, Json], timeout: float | None = None
    ) -> HttpResult:
        return self._request("POST", base_url, path, body, timeout)

    def _request(
        self,
        method: str,
        base_url: str,
        path: str,
        body: Mapping[str, Json] | None,
        timeout: float | None,
    ) -> HttpResult:
        url = base_url.rstrip("/") + path
        args = {"method": method, "url": url, "body": dict(body) if body is not None else None}
        result: HttpResult = self._channel.call(
            "http", "request", args, lambda: self._send(method, base_url, url, body, timeout), shape=HttpResult
        )
        return result

    def _send(
        self,
        method: str,
        base_url: str,
        url: str,
        body: Mapping[str, Json] | None,
        timeout: float | None,
    ) -> HttpResult:
        import requests

        limit = timeout if timeout is not None else self._config.endpoints.timeout_seconds
        headers: dict[str, Any] = {}
        if self._config.endpoints.id_tokens:
            headers["Authorization"] = f"Bearer {self._id_tokens.token(base_url.rstrip('/'))}"
        started = time.perf_counter()
        try:
            response = self._session.request(
                method, url, json=body, headers=headers, timeout=limit, allow_redirects=False
            )
        except requests.exceptions.Timeout:
            raise UnreachableError(f"{method} {url}: no answer within {limit:g}s") from None
        except requests.exceptions.RequestException as exc:
            host = unresolved_host(exc)
            if host is not None:
                raise UnresolvedHostError(cannot_resolve(f"{method} {url}", host, "the service's URL")) from None
            reason = type(exc).__name__
            raise UnreachableError(f"{method} {url}: cannot connect ({reason})") from None
        return {
            "method": method,
            "url": url,
            "status": response.status_code,
            "latency_ms": round((time.perf_counter() - started) * 1000, 1),
            "body": response.text[:_BODY_LIMIT],
        }
