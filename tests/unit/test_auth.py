"""Credentials as engineers have them: google-auth's real code against fake Google endpoints on loopback.

After `gcloud auth application-default login` ADC holds a person's
credentials, which cannot mint ID tokens (google/oauth2/id_token.py only
handles service-account files and the metadata server). opscheck then
impersonates the configured invoker through the IAM Credentials API
(`generateIdToken`), else asks gcloud. The OAuth token endpoint and the IAM
endpoint are loopback fakes; google-auth's refresh and impersonation code is
the real one (its endpoint constants are pointed at the fakes).
"""

from __future__ import annotations

import base64
import dataclasses
import json
import stat
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest

from opscheck.config import Config, EndpointsConfig
from opscheck.errors import CredentialsError
from opscheck.platform import auth, channel
from tests.helpers import json_server

INVOKER = "opscheck-invoker@nba-props-platform.iam.gserviceaccount.com"


def jwt(claims: dict[str, Any]) -> str:
    def part(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")

    return f"{part({'alg': 'RS256'})}.{part(claims)}.c2lnbmF0dXJl"


@dataclasses.dataclass
class FakeGoogle:
    """Google's OAuth token endpoint and IAM Credentials generateIdToken, on loopback."""

    url: str
    minted: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    refreshes: int = 0


@pytest.fixture
def google(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeGoogle]:
    def answer(method: str, path: str, headers: dict[str, str], body: bytes) -> tuple[int, Any]:
        if path == "/token":
            fake.refreshes += 1
            if parse_qs(body.decode()).get("refresh_token") == ["good"]:
                return 200, {"access_token": "ya29.fake-user-token", "expires_in": 3600, "token_type": "Bearer"}
            return 400, {"error": "invalid_grant", "error_description": "Token has been expired or revoked."}
        if path.endswith(":generateIdToken"):
            request = json.loads(body)
            fake.minted.append({"path": path, "audience": request["audience"],
                                "authorization": headers.get("authorization")})
            return 200, {"token": jwt({"aud": request["audience"], "exp": time.time() + 3600})}
        return 404, {}

    import google.auth.iam
    import google.oauth2.credentials

    with json_server(answer) as url:
        fake = FakeGoogle(url)
        monkeypatch.setattr(google.oauth2.credentials, "_GOOGLE_OAUTH2_TOKEN_ENDPOINT", f"{url}/token")
        monkeypatch.setattr(google.auth.iam, "_IAM_IDTOKEN_ENDPOINT",
                            f"{url}/v1/projects/-/serviceAccounts/{{}}:generateIdToken")
        auth._adc.cache_clear()
        yield fake
        auth._adc.cache_clear()


def person(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, refresh_token: str = "good") -> None:
    """ADC as `gcloud auth application-default login` writes it (no quota project)."""
    path = tmp_path / "application_default_credentials.json"
    path.write_text(json.dumps({"type": "authorized_user", "client_id": "764086051850.apps.googleusercontent.com",
                                "client_secret": "d-FL95Q19q7MQmFpd7hHD0Ty", "refresh_token": refresh_token}))
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(path))


def config(**endpoints: Any) -> Config:
    return Config(endpoints=EndpointsConfig(**endpoints))


def test_a_persons_adc_impersonates_the_invoker_and_caches_per_audience(
    google: FakeGoogle, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    person(tmp_path, monkeypatch)
    tokens = auth.IdTokens(config(invoker_service_account=INVOKER))
    first = tokens.token("https://prediction-worker-abc-wl.a.run.app")
    assert tokens.token("https://prediction-worker-abc-wl.a.run.app") == first  # cached until near expiry
    tokens.token("https://grading-abc-wl.a.run.app")
    assert [m["audience"] for m in google.minted] == ["https://prediction-worker-abc-wl.a.run.app",
                                                      "https://grading-abc-wl.a.run.app"]
    assert all(INVOKER in m["path"] for m in google.minted)
    assert google.minted[0]["authorization"] == "Bearer ya29.fake-user-token"  # as the person, for the invoker
    assert auth._expiry(first) > time.time() + 3000


def test_a_persons_adc_without_invoker_uses_gcloud(
    google: FakeGoogle, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    person(tmp_path, monkeypatch)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    token = jwt({"aud": "32555940559.apps.googleusercontent.com", "exp": time.time() + 3600})
    gcloud = bin_dir / "gcloud"
    gcloud.write_text(f"#!/bin/sh\n[ \"$1 $2\" = 'auth print-identity-token' ] && echo {token}\n")
    gcloud.chmod(gcloud.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", str(bin_dir))
    assert auth.IdTokens(config()).token("https://prediction-worker-abc-wl.a.run.app") == token
    assert google.minted == []


def test_a_persons_adc_alone_is_a_clear_message(
    google: FakeGoogle, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    person(tmp_path, monkeypatch)
    monkeypatch.setenv("PATH", str(tmp_path))  # no gcloud
    with pytest.raises(CredentialsError, match="your user credentials cannot mint ID tokens; set \\[endpoints\\] "
                                               "invoker_service_account"):
        auth.IdTokens(config()).token("https://prediction-worker-abc-wl.a.run.app")


def test_an_expired_login_names_the_login_command(
    google: FakeGoogle, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    person(tmp_path, monkeypatch, refresh_token="revoked")
    with pytest.raises(CredentialsError, match="gcloud auth application-default login"):
        auth.IdTokens(config(invoker_service_account=INVOKER)).token("https://w.a.run.app")
    assert google.refreshes == 1  # asked once: an expired login is not retried


def test_a_persons_adc_gets_the_configured_quota_project(
    google: FakeGoogle, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    person(tmp_path, monkeypatch)
    assert auth.credentials(Config()).quota_project_id == "nba-props-platform"
    assert auth.identity(Config()) == "your user credentials (ADC)"


def test_no_credentials_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(tmp_path / "missing.json"))
    auth._adc.cache_clear()
    with pytest.raises(CredentialsError) as caught:
        auth.credentials(Config())
    auth._adc.cache_clear()
    assert "missing.json" in str(caught.value) and "gcloud auth application-default login" in str(caught.value)
    assert "\n" not in str(caught.value)


def test_credential_failures_are_never_retried_and_rate_limits_are() -> None:
    """The wrappings the clients really use (google.api_core.exceptions, google.auth.exceptions)."""
    from google.api_core import exceptions as gexc
    from google.auth.exceptions import RefreshError

    grpc_plugin = gexc.ServiceUnavailable("Getting metadata from plugin failed with error: ('invalid_grant: "
                                          "Token has been expired or revoked.')")
    assert channel.credentials_failure(grpc_plugin) and not channel.retryable(grpc_plugin)
    wrapped = gexc.RetryError("deadline", cause=grpc_plugin)
    wrapped.__cause__ = grpc_plugin
    assert channel.credentials_failure(wrapped)
    assert channel.credentials_failure(RefreshError("invalid_grant"))
    assert channel.retryable(gexc.ServiceUnavailable("backend busy"))
    refused = gexc.ServiceUnavailable("failed to connect to all addresses; last error: UNKNOWN: "
                                      "ipv4:127.0.0.1:9: Failed to connect to remote host: Connection refused")
    assert not channel.retryable(refused)
    limited = gexc.Forbidden("Exceeded rate limits", errors=[{"reason": "rateLimitExceeded"}])
    assert channel.retryable(limited) and not channel.retryable(gexc.Forbidden("Access Denied"))


@pytest.mark.parametrize(("make", "problem"), [
    (lambda p: p.mkdir(), "cannot be read as a key file ({path}: not a regular file"),
    (lambda p: p.write_text("[1, 2]"), "is not a credentials file (a JSON object with a \"type\")"),
    (lambda p: p.write_text("{not json"), "is not JSON"),
    (lambda p: None, "which does not exist"),
], ids=["folder", "json-array", "not-json", "missing"])
def test_a_key_file_that_is_not_one_is_a_clear_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, make: Any, problem: str
) -> None:
    """A folder gave google-auth's IsADirectoryError, a JSON array its AttributeError: pytest's INTERNALERROR (exit 3)
    and a raw traceback in `opscheck doctor` (issue 18)."""
    path = tmp_path / "adc"
    make(path)
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(path))
    auth._adc.cache_clear()
    try:
        with pytest.raises(CredentialsError) as caught:
            auth.credentials(Config())
    finally:
        auth._adc.cache_clear()
    message = str(caught.value)
    assert message.startswith(f"$GOOGLE_APPLICATION_CREDENTIALS names {path}, ") and "\n" not in message
    assert problem.format(path=path) in message and message.endswith("`gcloud auth application-default login`")
