"""Cloud Storage gateway: object bytes, metadata, listings, streaming SHA-256.

Objects are named by `gs://bucket/path` strings, the form the worker's env var
and the manifest use, so a check can pass them straight through.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import tempfile
from pathlib import Path
from typing import IO, Any, TypedDict

from opscheck.config import Config
from opscheck.errors import BadRequestError, GatewayError, NotFoundError
from opscheck.platform import auth
from opscheck.platform.channel import Channel, ErrorTranslator, bounded_retry
from opscheck.platform.shapes import Count, Sha256

_CHUNK = 1 << 20


class ObjectInfo(TypedDict):
    path: str
    size: Count
    md5: str | None
    crc32c: str | None
    generation: Count
    updated: str


class Download(TypedDict):
    """An object read whole: which generation, how big, its SHA-256 (computed while streaming)."""

    path: str
    size: Count
    sha256: Sha256
    generation: Count
    crc32c: str | None


def split(path: str) -> tuple[str, str]:
    """`gs://bucket/a/b` as ("bucket", "a/b"); anything else is a BadRequestError."""
    if not path.startswith("gs://") or "/" not in path[5:]:
        raise BadRequestError(f"{path!r}: not a gs://bucket/object path")
    bucket, _, name = path[5:].partition("/")
    return bucket, name


class Storage:
    """Reads the model store."""

    def __init__(self, config: Config, channel: Channel) -> None:
        self._config = config
        self._channel = channel
        self._errors = ErrorTranslator("storage", config)

    @functools.cached_property
    def _client(self) -> Any:
        from google.cloud import storage  # type: ignore[attr-defined]

        options = {"api_endpoint": self._config.endpoints.storage} if self._config.endpoints.storage else None
        return storage.Client(
            project=self._config.gcp.project,
            credentials=auth.credentials(self._config),
            client_options=options,
        )

    def path(self, name: str) -> str:
        """`gs://` path of an object in the configured model bucket."""
        return f"gs://{self._config.models.bucket}/{name}"

    def read(self, path: str) -> bytes:
        """The object's bytes."""
        encoded: str = self._channel.call(
            "storage", "read", {"path": path}, lambda: base64.b64encode(self._read(path)).decode(), shape=str
        )
        return base64.b64decode(encoded)

    def read_json(self, path: str) -> Any:
        """The object parsed as JSON; a parse failure names the object."""
        try:
            return json.loads(self.read(path))
        except ValueError as exc:
            raise BadRequestError(f"{path}: not valid JSON ({exc})") from None

    def metadata(self, path: str) -> ObjectInfo:
        """Size, md5, crc32c, generation and update time of the object."""
        info: ObjectInfo = self._channel.call(
            "storage", "metadata", {"path": path}, lambda: self._metadata(path), shape=ObjectInfo
        )
        return info

    def listing(self, prefix_path: str) -> list[ObjectInfo]:
        """Every object under `gs://bucket/prefix`, with its metadata."""
        found: list[ObjectInfo] = self._channel.call(
            "storage", "list", {"prefix": prefix_path}, lambda: self._list(prefix_path), shape=list[ObjectInfo]
        )
        return found

    def sha256(self, path: str) -> str:
        """Hex SHA-256 of the object, computed while streaming it (models can be large)."""
        digest: str = self._channel.call(
            "storage", "sha256", {"path": path}, lambda: self._stream(path, None)["sha256"], shape=str
        )
        return digest

    def download(self, path: str) -> tuple[Download, Path]:
        """The object on local disk, and what was read: one generation, hashed while written.

        One streamed read pinned to the generation the metadata named
        (`if_generation_match`) and verified against its CRC32C, so the hash
        and the bytes describe the same object even if it is overwritten
        meanwhile; memory stays flat whatever the object's size.
        """
        info, local = self._channel.call_file(
            "storage", "download", {"path": path}, lambda: self._download(path), shape=Download
        )
        return info, local

    @functools.cached_property
    def _scratch(self) -> tempfile.TemporaryDirectory[str]:
        """Where downloads land; removed when the session's process ends."""
        return tempfile.TemporaryDirectory(prefix="opscheck-objects-")

    def _timeout(self) -> float:
        return self._config.endpoints.timeout_seconds

    def _blob(self, path: str) -> Any:
        bucket, name = split(path)
        return self._client.bucket(bucket).blob(name)

    def _read(self, path: str) -> bytes:
        with self._errors(path):
            data: bytes = self._blob(path).download_as_bytes(
                timeout=self._timeout(), retry=bounded_retry(self._timeout())
            )
        return data

    def _metadata(self, path: str) -> ObjectInfo:
        bucket, name = split(path)
        with self._errors(path):
            blob = self._client.bucket(bucket).get_blob(
                name, timeout=self._timeout(), retry=bounded_retry(self._timeout())
            )
        if blob is None:
            raise NotFoundError(f"{path}: not found")
        return _info(bucket, blob)

    def _list(self, prefix_path: str) -> list[ObjectInfo]:
        bucket, prefix = split(prefix_path)
        with self._errors(prefix_path):
            blobs = self._client.list_blobs(
                bucket, prefix=prefix, timeout=self._timeout(), retry=bounded_retry(self._timeout())
            )
            return [_info(bucket, blob) for blob in blobs]

    def _download(self, path: str) -> tuple[Download, Path]:
        _, name = split(path)
        target = Path(self._scratch.name) / name.replace("/", "__")
        with target.open("wb") as fh:
            info = self._stream(path, fh)
        return info, target

    def _stream(self, path: str, sink: IO[bytes] | None) -> Download:
        """Read the object once into `sink` (or nowhere), hashing as it goes."""
        from google.api_core import exceptions as gexc

        bucket, name = split(path)
        timeout = self._timeout()
        with self._errors(path):
            blob = self._client.bucket(bucket).get_blob(name, timeout=timeout, retry=bounded_retry(timeout))
            if blob is None:
                raise NotFoundError(f"{path}: not found")
            writer = _HashingWriter(sink)
            try:
                # `blob` carries its generation, so the read is of exactly that version.
                blob.download_to_file(writer, if_generation_match=blob.generation, checksum="crc32c",
                                      timeout=timeout, retry=bounded_retry(timeout))
            except (gexc.NotFound, gexc.PreconditionFailed):
                raise GatewayError(f"{path}: generation {blob.generation} was replaced while it was "
                                   "read: run again") from None
        return {"path": path, "size": writer.size, "sha256": writer.digest.hexdigest(),
                "generation": int(blob.generation or 0), "crc32c": blob.crc32c}


class _HashingWriter:
    """A file-like sink that hashes what the download writes, and passes it on (if anywhere)."""

    def __init__(self, sink: IO[bytes] | None) -> None:
        self._sink = sink
        self.digest = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> int:
        self.digest.update(data)
        self.size += len(data)
        if self._sink is not None:
            self._sink.write(data)
        return len(data)


def _info(bucket: str, blob: Any) -> ObjectInfo:
    return {
        "path": f"gs://{bucket}/{blob.name}",
        "size": int(blob.size or 0),
        "md5": blob.md5_hash,
        "crc32c": blob.crc32c,
        "generation": int(blob.generation or 0),
        "updated": blob.updated.isoformat() if blob.updated else "",
    }
