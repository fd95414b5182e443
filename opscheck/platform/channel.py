"""The channel every gateway call goes through.

Why: a gateway's operation is described once (its name, its canonical
arguments, and how to perform it live); the channel decides whether to perform
it (live), perform and store it (record), or answer it from a recording
(offline). Values crossing a channel are plain JSON, so live and replay hand a
check exactly the same thing.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any, Protocol

from opscheck.errors import BadRequestError, GatewayError, NotFoundError, UnreachableError

Json = Any
"""A JSON-compatible value: dict, list, str, int, float, bool or None."""
FileAnswer = tuple[Json, Path]
"""The answer of a call that produced a local file: its JSON description and the file."""


class Channel(Protocol):
    """Carries one gateway operation to wherever answers come from."""

    @property
    def mode(self) -> str: ...

    def call(
        self, gateway: str, operation: str, args: Mapping[str, Json], live: Callable[[], Json]
    ) -> Json: ...

    def call_file(
        self, gateway: str, operation: str, args: Mapping[str, Json], live: Callable[[], FileAnswer]
    ) -> FileAnswer:
        """A call whose answer includes a local file (a downloaded model): JSON plus its path.

        Recordings keep such files beside the JSON (a sidecar), never inside it:
        a model can be hundreds of MB.
        """
        ...


class LiveChannel:
    """Performs every operation against the configured endpoints."""

    mode = "live"

    def call(
        self, gateway: str, operation: str, args: Mapping[str, Json], live: Callable[[], Json]
    ) -> Json:
        return live()

    def call_file(
        self, gateway: str, operation: str, args: Mapping[str, Json], live: Callable[[], FileAnswer]
    ) -> FileAnswer:
        return live()


@contextlib.contextmanager
def translated(what: str) -> Iterator[None]:
    """Turn client-library and transport exceptions into opscheck's GatewayErrors.

    `what` names the resource ("table nba_raw.x", "gs://b/o") so the one-line
    message says which thing failed, not only how.
    """
    import requests
    from google.api_core import exceptions as gexc

    try:
        yield
    except GatewayError:
        raise
    except gexc.NotFound as exc:
        raise NotFoundError(f"{what}: not found ({_first_line(exc)})") from exc
    except (gexc.BadRequest, gexc.InvalidArgument, gexc.FailedPrecondition) as exc:
        raise BadRequestError(f"{what}: rejected ({_first_line(exc)})") from exc
    except (gexc.ServiceUnavailable, gexc.DeadlineExceeded, gexc.RetryError) as exc:
        raise UnreachableError(f"{what}: endpoint did not answer ({_first_line(exc)})") from exc
    except requests.exceptions.RequestException as exc:
        raise UnreachableError(f"{what}: endpoint did not answer ({_first_line(exc)})") from exc
    except TimeoutError as exc:
        raise UnreachableError(f"{what}: timed out ({exc})") from exc
    except gexc.GoogleAPICallError as exc:
        raise GatewayError(f"{what}: {_first_line(exc)}") from exc


def bounded_retry(timeout: float) -> Any:
    """Retry transient errors, but never for longer than `timeout` seconds in all.

    The clients' default retries run for minutes against an endpoint that
    refuses connections; the morning run must fail fast instead.
    """
    from google.api_core.retry import Retry, if_transient_error

    return Retry(predicate=if_transient_error, initial=0.2, maximum=2.0, timeout=timeout)


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
