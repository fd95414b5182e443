"""Record mode scrubs secrets, and nothing in fixtures/ holds one."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from opscheck.replay import scrub

REPO = Path(__file__).resolve().parents[2]
SECRETS = {
    "bearer": "Authorization: Bearer ya29.a0AfH6SMBx-secret_token",
    "oauth": "token=ya29.c.Kp8BCgYKAbc123",
    "jwt": "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxMjM0In0.c2lnbmF0dXJl",
    "key": "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBg\n-----END PRIVATE KEY-----",
    "email": "contact jane.doe@example.org now",
}
CREDENTIALS = r"ya29\.|eyJ[A-Za-z0-9_\-]{8,}\.|BEGIN [A-Z ]*PRIVATE KEY|(?i:bearer\s+(?!<scrubbed>)\S)"
LEAKS = re.compile(CREDENTIALS + r"|[A-Za-z0-9._%+\-]+@(?!(?:[A-Za-z0-9\-]+\.iam\.gserviceaccount\.com|"
                   r"example\.com)\b)[A-Za-z0-9.\-]+\.[A-Za-z]{2,}")
# Sidecar blobs are objects kept byte for byte (their SHA-256 is checked), so they are never
# scrubbed: a CatBoost model carries the library's own build info (its release author's
# address). They are scanned for credentials, not for addresses.
BLOB_LEAKS = re.compile(CREDENTIALS)


@pytest.mark.parametrize("kind", sorted(SECRETS))
def test_scrub_removes(kind: str) -> None:
    cleaned = scrub({"nested": [SECRETS[kind]]})
    assert not LEAKS.search(str(cleaned)), cleaned


def test_scrub_blanks_secret_keys_and_keeps_service_accounts() -> None:
    cleaned = scrub({"Authorization": "anything", "cookie": "sid=1", "access_token": "x",
                     "oidc_service_account": "pubsub-invoker@p.iam.gserviceaccount.com", "rows": 3})
    assert cleaned == {"Authorization": "<scrubbed>", "cookie": "<scrubbed>", "access_token": "<scrubbed>",
                       "oidc_service_account": "pubsub-invoker@p.iam.gserviceaccount.com", "rows": 3}


def test_leak_pattern_would_catch_each_secret() -> None:
    assert all(LEAKS.search(s) for s in SECRETS.values())


def test_no_secret_anywhere_in_fixtures() -> None:
    files = [p for p in (REPO / "fixtures").rglob("*") if p.is_file()]
    assert files and any(p.parent.name == "blobs" for p in files)
    leaks = [f"{p}: {m.group(0)}" for p in files
             for m in (BLOB_LEAKS if p.parent.name == "blobs" else LEAKS).finditer(p.read_text(errors="replace"))]
    assert not leaks, leaks[:5]
