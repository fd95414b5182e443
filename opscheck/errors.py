"""The errors opscheck raises on purpose.

Every one of them carries a message meant to be read at 7 a.m.: it names the
thing that is wrong and the fix, on one line. Anything else escaping opscheck
is a bug in opscheck.
"""

from __future__ import annotations


class OpscheckError(Exception):
    """Base of every deliberate opscheck error."""


class ConfigError(OpscheckError):
    """`opscheck.toml` (or an overlay) is unusable; raised before any check runs."""


class CredentialsError(OpscheckError):
    """Google credentials are missing, expired or cannot do what is needed; the fix is a login.

    Nothing else can work without them, so the run stops at the first one.
    """


class GatewayError(OpscheckError):
    """A call to a Google service (or its stand-in) failed.

    Gateways turn client exceptions into these so that a check never sees an
    empty result where the truth is "the call failed".
    """


class NotFoundError(GatewayError):
    """The table, object, topic, subscription or service does not exist."""


class BadRequestError(GatewayError):
    """The service rejected the request: bad SQL, bad parameters, bad name."""


class UnreachableError(GatewayError):
    """The endpoint did not answer (refused, timed out, DNS failed)."""


class UnresolvedHostError(UnreachableError):
    """A host name did not resolve: no DNS here, or an endpoint names a host that does not exist.

    Not a timeout, and nothing is retried: every other call would fail the same way, so the run
    stops at the first one with this line.
    """


class AccessDeniedError(GatewayError):
    """The identity in use lacks a role for the call (HTTP 403 / PERMISSION_DENIED)."""


class QueryTimeoutError(GatewayError):
    """A query ran past its time limit (and was cancelled)."""


class DataError(GatewayError):
    """An answer, live or recorded, is not the shape opscheck reads (a null, a string for a number)."""


class HistoryError(OpscheckError):
    """The history store cannot be read or written: corrupted, locked past its patience, of another schema.

    A run still reports and keeps its exit code (one warning line); `opscheck history` and `ack` stop.
    """
