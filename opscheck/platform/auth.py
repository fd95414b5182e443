"""Credentials and ID tokens for live calls.

Anonymous credentials are only for stand-ins (an endpoint override says so in
configuration); against Google, Application Default Credentials are required
and their absence is a one-line error with the command that fixes it.
"""

from __future__ import annotations

import functools
from typing import Any

from opscheck.config import Config
from opscheck.errors import ConfigError


@functools.cache
def _adc() -> Any:
    import google.auth
    from google.auth.exceptions import DefaultCredentialsError

    try:
        credentials, _project = google.auth.default(
            scopes=["https://www.googleapis.com/auth/cloud-platform"]
        )
    except DefaultCredentialsError:
        raise ConfigError(
            "no Google credentials: run `gcloud auth application-default login` "
            "or set GOOGLE_APPLICATION_CREDENTIALS"
        ) from None
    return credentials


def credentials(config: Config) -> Any:
    """The credentials a live client should use under this configuration."""
    if config.endpoints.anonymous:
        from google.auth.credentials import AnonymousCredentials

        return AnonymousCredentials()
    return _adc()


def id_token(audience: str) -> str:
    """An ID token for a Cloud Run service behind IAM (audience: its base URL)."""
    import google.auth.transport.requests
    from google.auth.exceptions import DefaultCredentialsError
    from google.oauth2 import id_token as oauth_id_token

    try:
        token: str = oauth_id_token.fetch_id_token(
            google.auth.transport.requests.Request(), audience
        )
    except DefaultCredentialsError:
        raise ConfigError(
            f"cannot mint an ID token for {audience}: use a service account "
            "(GOOGLE_APPLICATION_CREDENTIALS) or set endpoints.id_tokens = false"
        ) from None
    return token
