"""Scrubbing: what a recording must never hold (tokens, auth headers, cookies, private keys, personal e-mail).

Service-account addresses stay: they are configuration the probes check. Record mode scrubs every
call's arguments and answer before it keeps them; a test scans all of fixtures/ for what slipped.
"""

from __future__ import annotations

import re

from opscheck.platform.channel import Json

_SECRETS = [
    (re.compile(r"(?i)bearer\s+[A-Za-z0-9._\-~+/]+=*"), "Bearer <scrubbed>"),
    (re.compile(r"ya29\.[A-Za-z0-9._\-]+"), "<scrubbed-token>"),
    (re.compile(r"eyJ[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+"), "<scrubbed-jwt>"),
    (re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----"),
     "<scrubbed-private-key>"),
    (re.compile(r"[A-Za-z0-9._%+\-]+@(?![A-Za-z0-9\-]+\.iam\.gserviceaccount\.com\b)"
                r"[A-Za-z0-9.\-]+\.[A-Za-z]{2,}"), "person@example.com"),
]
_SECRET_KEYS = re.compile(r"(?i)^(authorization|cookie|set-cookie|access_token|refresh_token|"
                          r"id_token|private_key|client_secret|password|token)$")


def scrub(value: Json) -> Json:
    """The value with tokens, auth headers, cookies, private keys and personal e-mail removed.

    Service-account addresses stay: they are configuration the probes check.
    """
    if isinstance(value, str):
        for pattern, replacement in _SECRETS:
            value = pattern.sub(replacement, value)
        return value
    if isinstance(value, list):
        return [scrub(v) for v in value]
    if isinstance(value, dict):
        return {k: "<scrubbed>" if _SECRET_KEYS.match(k) else scrub(v) for k, v in value.items()}
    return value


