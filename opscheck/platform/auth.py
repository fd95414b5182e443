"""Credentials and ID tokens for live calls, as engineers really have them.

Anonymous credentials are only for stand-ins (configuration says so);
against Google, Application Default Credentials are required. ADC comes in
several kinds, and only some can mint the ID tokens Cloud Run's IAM wants:
`google.oauth2.id_token.fetch_id_token` works for a service-account key file
or the metadata server, but not after `gcloud auth application-default
login` (user credentials: see google/oauth2/id_token.py, which raises for
them). So ID tokens are minted from the ADC credentials themselves: a service
account signs its own; impersonated and workload-identity credentials ask the
IAM Credentials API for their service account; on Compute Engine and Cloud
Run the metadata server issues them; a person's credentials impersonate the
configured invoker service account, else fall back to `gcloud auth
print-identity-token`. Tokens are cached per audience until shortly before
they expire.
"""

from __future__ import annotations

import base64
import functools
import json
import os
import shutil
import subprocess
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from opscheck import files
from opscheck.config import Config
from opscheck.errors import CredentialsError

CLOUD_PLATFORM = "https://www.googleapis.com/auth/cloud-platform"
LOGIN = "run `gcloud auth application-default login` (or point GOOGLE_APPLICATION_CREDENTIALS at a key file)"
_EARLY = 60.0  # seconds before expiry when a cached ID token is replaced


KEY_FILE_ENV = "GOOGLE_APPLICATION_CREDENTIALS"
_MAX_KEY_BYTES = 1 << 20


def _key_file_problem(environ: Mapping[str, str]) -> str | None:
    """What is wrong with the file $GOOGLE_APPLICATION_CREDENTIALS names, before google-auth reads it.

    google-auth raises IsADirectoryError for a folder and AttributeError for a JSON array: tracebacks
    (and pytest's INTERNALERROR) where a person needs one line.
    """
    name = environ.get(KEY_FILE_ENV)
    if not name:
        return None
    path = Path(name).expanduser()
    try:
        data = files.read_bounded(path, _MAX_KEY_BYTES)
    except FileNotFoundError:
        return f"${KEY_FILE_ENV} names {path}, which does not exist"
    except (OSError, files.NotAFile) as exc:
        return f"${KEY_FILE_ENV} names {path}, which cannot be read as a key file ({exc})"
    try:
        parsed = json.loads(data)
    except ValueError:
        return f"${KEY_FILE_ENV} names {path}, which is not JSON"
    if not isinstance(parsed, dict) or not isinstance(parsed.get("type"), str):
        return f"${KEY_FILE_ENV} names {path}, which is not a credentials file (a JSON object with a \"type\")"
    return None


@functools.cache
def _adc(quota_project: str) -> Any:
    import google.auth
    from google.auth.exceptions import DefaultCredentialsError

    problem = _key_file_problem(os.environ)
    if problem:
        raise CredentialsError(f"{problem}: point it at a service-account key file, or unset it and run "
                               "`gcloud auth application-default login`")
    try:
        found, _project = google.auth.default(scopes=[CLOUD_PLATFORM])
    except DefaultCredentialsError as exc:
        raise CredentialsError(f"no usable Google credentials ({_reason(exc)}): {LOGIN}") from None
    except (OSError, ValueError, AttributeError, TypeError) as exc:  # a file google-auth could not make sense of
        raise CredentialsError(f"unusable Google credentials ({type(exc).__name__}: {str(exc)[:160]}): {LOGIN}") \
            from None
    # A person's ADC without a quota project bills API usage nowhere; use the configured project.
    if getattr(found, "quota_project_id", None) is None and _kind(found) in ("user", "external user"):
        found = found.with_quota_project(quota_project)  # type: ignore[attr-defined]
    return found


def _reason(exc: Exception) -> str:
    """google-auth's own words, on one line: what it tried, and why that failed."""
    words = [str(a) if not isinstance(a, Exception) else str(a).split(". ")[0] for a in exc.args] or ["none found"]
    return " ".join(" ".join(words).split())[:300].rstrip(".")


def credentials(config: Config) -> Any:
    """The credentials a live client should use under this configuration."""
    if config.endpoints.anonymous:
        from google.auth.credentials import AnonymousCredentials

        return AnonymousCredentials()
    return _adc(config.gcp.project)


def _kind(found: Any) -> str:
    """What kind of ADC this is, in the words people use."""
    from google.auth import (
        compute_engine,
        external_account,
        external_account_authorized_user,
        impersonated_credentials,
    )
    from google.oauth2 import credentials as user
    from google.oauth2 import service_account

    if isinstance(found, service_account.Credentials):
        return "service account"
    if isinstance(found, impersonated_credentials.Credentials):
        return "impersonated"
    if isinstance(found, compute_engine.Credentials):
        return "metadata server"
    if isinstance(found, external_account.Credentials):
        return "workload identity"
    if isinstance(found, user.Credentials):
        return "user"
    if isinstance(found, external_account_authorized_user.Credentials):
        return "external user"
    return type(found).__name__


def identity(config: Config) -> str:
    """Who opscheck calls Google as: what a missing-role message must name."""
    if config.endpoints.anonymous:
        return "anonymous (a stand-in)"
    try:
        found = credentials(config)
    except CredentialsError:
        return "no credentials"
    email = (getattr(found, "service_account_email", None) or getattr(found, "signer_email", None)
             or getattr(found, "account", None))
    if isinstance(email, str) and "@" in email:
        return email
    return f"your {_kind(found)} credentials (ADC)"


class IdTokens:
    """ID tokens for Cloud Run services behind IAM, one per audience, cached until near expiry."""

    def __init__(self, config: Config) -> None:
        self._config = config
        self._lock = threading.Lock()
        self._cache: dict[str, tuple[str, float]] = {}

    def token(self, audience: str) -> str:
        with self._lock:
            cached = self._cache.get(audience)
            if cached is not None and cached[1] - _EARLY > time.time():
                return cached[0]
            token, expiry = self._mint(audience)
            self._cache[audience] = (token, expiry)
            return token

    def _mint(self, audience: str) -> tuple[str, float]:
        import google.auth.transport.requests
        from google.auth.exceptions import RefreshError, TransportError

        found = credentials(self._config)
        minting = self._id_credentials(found, audience)
        if minting is None:
            return self._gcloud(found, audience)
        try:
            minting.refresh(google.auth.transport.requests.Request())
        except (RefreshError, TransportError) as exc:
            raise CredentialsError(f"cannot mint an ID token for {audience} as {identity(self._config)} "
                                   f"({str(exc).splitlines()[0][:200]}): {LOGIN}") from None
        return str(minting.token), _expiry(str(minting.token))

    def _id_credentials(self, found: Any, audience: str) -> Any:
        """Credentials that mint ID tokens for `audience` from `found`, None for a person's own ADC."""
        from google.auth import compute_engine, external_account, impersonated_credentials
        from google.auth.transport.requests import Request
        from google.oauth2 import service_account

        kind = _kind(found)
        if isinstance(found, service_account.Credentials):
            # _token_uri: the key file's token endpoint (no public accessor in google-auth).
            return service_account.IDTokenCredentials(found.signer, found.service_account_email,
                                                      found._token_uri, target_audience=audience)
        if isinstance(found, impersonated_credentials.Credentials):
            return impersonated_credentials.IDTokenCredentials(found, target_audience=audience, include_email=True)
        if isinstance(found, compute_engine.Credentials):
            return compute_engine.IDTokenCredentials(Request(), audience, use_metadata_identity_endpoint=True)
        if isinstance(found, external_account.Credentials) and found.service_account_email:
            # Workload identity federation impersonating a service account: mint as that account, the
            # federated identity as source (google-auth builds exactly this for access tokens).
            target = found._initialize_impersonated_credentials()
            return impersonated_credentials.IDTokenCredentials(target, target_audience=audience, include_email=True)
        invoker = self._config.endpoints.invoker_service_account
        if kind in ("user", "external user", "workload identity") and invoker:
            target = impersonated_credentials.Credentials(source_credentials=found, target_principal=invoker,
                                                          target_scopes=[CLOUD_PLATFORM], lifetime=3600)
            return impersonated_credentials.IDTokenCredentials(target, target_audience=audience, include_email=True)
        return None

    def _gcloud(self, found: Any, audience: str) -> tuple[str, float]:
        """A person's identity token from gcloud, the last resort for user credentials."""
        gcloud = shutil.which("gcloud")
        if gcloud is None:
            raise CredentialsError(
                f"cannot call {audience}: your {_kind(found)} credentials cannot mint ID tokens; set "
                "[endpoints] invoker_service_account to a service account with roles/run.invoker that you may "
                "impersonate (roles/iam.serviceAccountTokenCreator), install gcloud, or use a service account")
        try:
            done = subprocess.run([gcloud, "auth", "print-identity-token"], capture_output=True, text=True,
                                  timeout=self._config.endpoints.timeout_seconds, check=False)
        except subprocess.TimeoutExpired:
            raise CredentialsError(f"`gcloud auth print-identity-token` did not answer within "
                                   f"{self._config.endpoints.timeout_seconds:g}s: run `gcloud auth login`") from None
        token = done.stdout.strip()
        if done.returncode != 0 or not token:
            reason = (done.stderr.strip().splitlines() or ["no token printed"])[-1]
            raise CredentialsError(f"`gcloud auth print-identity-token` failed ({reason[:200]}): "
                                   "run `gcloud auth login`")
        return token, _expiry(token)


def _expiry(token: str) -> float:
    """The `exp` claim of a JWT (not verified: only to know when to mint again), else in 5 minutes."""
    try:
        payload = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        return float(claims["exp"])
    except (IndexError, ValueError, KeyError, TypeError):
        return time.time() + 300
