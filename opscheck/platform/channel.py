"""The channel every gateway call goes through.

Why: a gateway's operation is described once (its name, its canonical
arguments, and how to perform it live); the channel decides whether to perform
it (live), perform and store it (record), or answer it from a recording
(offline). Values crossing a channel are plain JSON, so live and replay hand a
check exactly the same thing.
"""

from __future__ import annotations

import contextlib
import contextvars
import re
import socket
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any, Protocol

from opscheck.config import Config
from opscheck.errors import (
    AccessDeniedError,
    BadRequestError,
    CredentialsError,
    DataError,
    GatewayError,
    NotFoundError,
    UnreachableError,
    UnresolvedHostError,
)
from opscheck.platform import shapes

Json = Any
"""A JSON-compatible value: dict, list, str, int, float, bool or None."""
ASKER: contextvars.ContextVar[str | None] = contextvars.ContextVar("opscheck_asker", default=None)
"""Which memoised view answer is calling a gateway ("Predictions.expected"), so a report shows each check
the SQL of exactly the answers it read."""
READER: contextvars.ContextVar[str | None] = contextvars.ContextVar("opscheck_reader", default=None)
"""The check being run (its node id), set by the plugin around each check."""
FileAnswer = tuple[Json, Path]
"""The answer of a call that produced a local file: its JSON description and the file."""


class Channel(Protocol):
    """Carries one gateway operation to wherever answers come from."""

    @property
    def mode(self) -> str: ...

    def call(
        self, gateway: str, operation: str, args: Mapping[str, Json], live: Callable[[], Json], shape: Any = Any
    ) -> Json:
        """One operation's answer, held to `shape` (shapes.check) whichever way it was obtained."""
        ...

    def call_file(
        self, gateway: str, operation: str, args: Mapping[str, Json], live: Callable[[], FileAnswer],
        shape: Any = Any,
    ) -> FileAnswer:
        """A call whose answer includes a local file (a downloaded model): JSON plus its path.

        Recordings keep such files beside the JSON (a sidecar), never inside it:
        a model can be hundreds of MB.
        """
        ...


def checked(answer: Json, shape: Any, gateway: str, operation: str) -> Json:
    """A live answer held to its shape: a wrong one is a DataError naming the call."""
    try:
        shapes.check(answer, shape)
    except shapes.ShapeError as exc:
        raise DataError(f"{gateway}.{operation}: the service answered something opscheck cannot read ({exc})") from None
    return answer


class LiveChannel:
    """Performs every operation against the configured endpoints."""

    mode = "live"

    def call(
        self, gateway: str, operation: str, args: Mapping[str, Json], live: Callable[[], Json], shape: Any = Any
    ) -> Json:
        return checked(live(), shape, gateway, operation)

    def call_file(
        self, gateway: str, operation: str, args: Mapping[str, Json], live: Callable[[], FileAnswer],
        shape: Any = Any,
    ) -> FileAnswer:
        answer, path = live()
        return checked(answer, shape, gateway, operation), path


ROLES = {
    "bigquery": "roles/bigquery.jobUser on the project and roles/bigquery.dataViewer on the datasets",
    "storage": "roles/storage.objectViewer on the bucket",
    "pubsub": "roles/pubsub.viewer (and roles/pubsub.subscriber on the dead-letter subscription, to count it)",
    "run": "roles/run.viewer",
    "monitoring": "roles/monitoring.viewer",
    "scheduler": "roles/cloudscheduler.viewer",
    "build": "roles/cloudbuild.builds.viewer",
    "logging": "roles/logging.viewer",
}
"""The role each API's reads need: what a 403 tells the user to grant."""


def credentials_failure(exc: BaseException) -> bool:
    """Whether `exc` is expired or missing credentials, however the transport wrapped it.

    REST clients raise google-auth's RefreshError; gRPC clients turn the same
    failure into UNAVAILABLE "Getting metadata from plugin failed", which the
    default retry treats as transient. Either way, only a login fixes it.
    """
    from google.auth import exceptions as auth_exceptions

    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, auth_exceptions.RefreshError | auth_exceptions.DefaultCredentialsError):
            return True
        if "Getting metadata from plugin failed" in str(current):
            return True
        current = current.__cause__ or current.__context__
    return False


_RESOLVING = ("NameResolutionError", "Name or service not known", "Temporary failure in name resolution",
              "nodename nor servname", "errors resolving", "DNS resolution failed", "getaddrinfo failed")
_HOST = re.compile(r"host='([^']+)'|resolving ([\w.-]+)|lookup failed for ([\w.-]+)|Failed to resolve '([^']+)'")


def unresolved_host(exc: BaseException) -> str | None:
    """The host whose name did not resolve, if that is what `exc` is ("" when it does not say which), else None.

    requests wraps it in urllib3's NameResolutionError, gRPC in UNAVAILABLE "errors resolving",
    google-auth's token refresh in a TransportError: the chain and the text are both read.
    """
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        text = str(current)
        if isinstance(current, socket.gaierror) or any(sign in text for sign in _RESOLVING):
            match = _HOST.search(text)
            return next((g for g in match.groups() if g), "") if match else ""
        current = current.__cause__ or current.__context__
    return None


def refused(exc: BaseException) -> bool:
    """A connection refused: nothing listens there, and retrying will not change that."""
    text = str(exc)
    return "Connection refused" in text or "ECONNREFUSED" in text or "Errno 111" in text


def retryable(exc: BaseException) -> bool:
    """Transient errors, BigQuery's rate limits among them; never credentials or a refused connection."""
    from google.api_core import exceptions as gexc
    from google.api_core.retry import if_transient_error

    if credentials_failure(exc) or refused(exc) or unresolved_host(exc) is not None:
        return False
    if isinstance(exc, gexc.Forbidden) and any(  # BigQuery's REST errors; gRPC errors are not dicts
            isinstance(e, dict) and e.get("reason") in ("rateLimitExceeded", "backendError") for e in exc.errors or []):
        return True
    return isinstance(exc, Exception) and bool(if_transient_error(exc))


class ErrorTranslator:
    """Turns one API's client and transport exceptions into opscheck's errors.

    Each message names the resource ("table nba_raw.x", "gs://b/o"), so the
    one line says which thing failed, not only how; a 403 names the role the
    identity in use lacks; expired credentials stop everything with the login
    command instead of reading as an unreachable endpoint.
    """

    def __init__(self, api: str, config: Config) -> None:
        self.api = api
        self._config = config

    @contextlib.contextmanager
    def __call__(self, what: str) -> Iterator[None]:
        import requests
        from google.api_core import exceptions as gexc

        from opscheck.platform import auth

        try:
            yield
        except GatewayError:
            raise
        except Exception as exc:
            if credentials_failure(exc):
                raise CredentialsError(f"{what}: Google credentials expired or missing: {auth.LOGIN}") from None
            host = unresolved_host(exc)
            if host is not None:
                raise UnresolvedHostError(cannot_resolve(what, host, self._configured())) from exc
            if isinstance(exc, gexc.Forbidden | gexc.PermissionDenied | gexc.Unauthorized):
                raise AccessDeniedError(
                    f"{what}: permission denied for {auth.identity(self._config)}: grant {ROLES[self.api]} "
                    f"({_first_line(exc)})") from exc
            if isinstance(exc, gexc.NotFound):
                raise NotFoundError(f"{what}: not found ({_first_line(exc)})") from exc
            if isinstance(exc, gexc.BadRequest | gexc.InvalidArgument | gexc.FailedPrecondition):
                raise BadRequestError(f"{what}: rejected ({_first_line(exc)})") from exc
            if refused(exc):
                raise UnreachableError(f"{what}: connection refused ({self._endpoint()})") from exc
            if isinstance(exc, gexc.ServiceUnavailable | gexc.DeadlineExceeded | gexc.RetryError | TimeoutError
                          | requests.exceptions.RequestException):
                raise UnreachableError(f"{what}: no answer within {self._config.endpoints.timeout_seconds:g}s "
                                       f"({_first_line(exc)})") from exc
            if isinstance(exc, gexc.GoogleAPICallError):
                raise GatewayError(f"{what}: {_first_line(exc)}") from exc
            raise

    def _endpoint(self) -> str:
        return getattr(self._config.endpoints, self.api, "") or "Google's endpoint"

    def _configured(self) -> str:
        """`endpoints.<api> = URL` when the configuration names one, else ""."""
        url = getattr(self._config.endpoints, self.api, "")
        return f"endpoints.{self.api} = {url}" if url else ""


def cannot_resolve(what: str, host: str, configured: str = "") -> str:
    """The one line of a host that did not resolve: not a timeout, and nothing else will work either.

    `configured` is the endpoint configuration named, if any: then it may be a typo instead.
    """
    why = f"no DNS here, or {configured} names a host that does not exist" if configured else "no DNS here"
    return f"{what}: cannot resolve {host or 'its host'} ({why}): nothing else can be reached either; check the network"


def bounded_retry(timeout: float) -> Any:
    """Retry transient errors, but never for longer than `timeout` seconds in all.

    The clients' default retries run for minutes against an endpoint that
    refuses connections; the morning run must fail fast instead.
    """
    from google.api_core.retry import Retry

    return Retry(predicate=retryable, initial=0.2, maximum=2.0, timeout=timeout)


def insecure_channel(endpoint: str) -> Any:
    """A plain-text gRPC channel for an `http://host:port` endpoint (a stand-in), else None.

    gRPC clients take no scheme; `http://` in configuration is how a user says
    "no TLS", which only a local stand-in should ever be.
    """
    if not endpoint.startswith("http://"):
        return None
    import grpc

    return grpc.insecure_channel(endpoint.removeprefix("http://").rstrip("/"))


def tls_endpoint(endpoint: str) -> dict[str, str] | None:
    """gRPC client options for an `https://host[:port]` endpoint override, else None."""
    if not endpoint.startswith("https://"):
        return None
    return {"api_endpoint": endpoint.removeprefix("https://").rstrip("/")}


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:300] if text else type(exc).__name__
