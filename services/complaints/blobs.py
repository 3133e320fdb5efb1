"""Attachments' bytes, content-addressed by SHA-256, behind a small port.

The complaint's events carry only an attachment's metadata (name, media type, size,
sha256); the bytes live here. `put` answers the sha256 the bytes hash to, so the
same file uploaded twice is stored once. `FileBlobStore` keeps each file at
`BLOB_DIR/ab/cdef...` (the first two hex digits name a directory), written
atomically (temporary file, fsync, rename, fsync of the directory) so a reader
never sees half a file; `MemoryBlobStore` is the fake for unit tests.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from typing import Protocol

from services.complaints.domain.errors import (
    AttachmentChecksumMismatch,
    AttachmentCorrupt,
    AttachmentMissing,
    AttachmentTooLarge,
)
from services.complaints.domain.model import SHA256_HEX

MAX_BLOB_BYTES = 20 * 1024 * 1024  # per file


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class BlobStore(Protocol):
    """Where attachments' bytes live, found by their sha256 (lowercase hex)."""

    max_bytes: int

    def put(self, data: bytes, sha256: str | None = None) -> str:
        """Store `data` (once) and answer its sha256. AttachmentTooLarge past
        `max_bytes`; AttachmentChecksumMismatch when `sha256` is given and the
        bytes do not hash to it (nothing stored)."""
        ...

    def get(self, sha256: str) -> bytes:
        """The bytes; AttachmentMissing if absent, AttachmentCorrupt if they no
        longer hash to `sha256`."""
        ...

    def exists(self, sha256: str) -> bool: ...

    def size(self, sha256: str) -> int | None:
        """The stored size in bytes, or None when absent."""
        ...


def _checked(data: bytes, sha256: str | None, max_bytes: int) -> str:
    if len(data) > max_bytes:
        raise AttachmentTooLarge(size=len(data), limit=max_bytes)
    actual = sha256_of(data)
    if sha256 is not None and sha256.lower() != actual:
        raise AttachmentChecksumMismatch(expected=sha256, actual=actual)
    return actual


def _valid(sha256: str) -> bool:
    return isinstance(sha256, str) and bool(SHA256_HEX.match(sha256))


class MemoryBlobStore:
    """The in-memory fake: the same rules, a dict."""

    def __init__(self, max_bytes: int = MAX_BLOB_BYTES) -> None:
        self.max_bytes = max_bytes
        self.blobs: dict[str, bytes] = {}

    def put(self, data: bytes, sha256: str | None = None) -> str:
        digest = _checked(data, sha256, self.max_bytes)
        self.blobs.setdefault(digest, bytes(data))
        return digest

    def get(self, sha256: str) -> bytes:
        if sha256 not in self.blobs:
            raise AttachmentMissing(sha256=sha256)
        data = self.blobs[sha256]
        if sha256_of(data) != sha256:
            raise AttachmentCorrupt(sha256=sha256)
        return data

    def exists(self, sha256: str) -> bool:
        return sha256 in self.blobs

    def size(self, sha256: str) -> int | None:
        data = self.blobs.get(sha256)
        return None if data is None else len(data)


class FileBlobStore:
    """Blobs as files under `root`: `root/ab/cdef...` for sha256 `abcdef...`."""

    def __init__(self, root: str | os.PathLike[str], max_bytes: int = MAX_BLOB_BYTES):
        self.root = Path(root)
        self.max_bytes = max_bytes

    def path(self, sha256: str) -> Path:
        if not _valid(sha256):  # never a path built from anything but 64 hex digits
            raise AttachmentMissing(sha256=str(sha256)[:80])
        return self.root / sha256[:2] / sha256[2:]

    def put(self, data: bytes, sha256: str | None = None) -> str:
        digest = _checked(data, sha256, self.max_bytes)
        target = self.path(digest)
        if target.is_file() and self._intact(target, digest):
            return digest  # content-addressed: already stored, stored once
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, target)  # atomic on one file system
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        self._sync_directory(target.parent)
        return digest

    @staticmethod
    def _intact(path: Path, sha256: str) -> bool:
        return sha256_of(path.read_bytes()) == sha256

    @staticmethod
    def _sync_directory(directory: Path) -> None:
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

    def get(self, sha256: str) -> bytes:
        try:
            data = self.path(sha256).read_bytes()
        except FileNotFoundError:
            raise AttachmentMissing(sha256=sha256) from None
        if sha256_of(data) != sha256:
            raise AttachmentCorrupt(sha256=sha256)
        return data

    def exists(self, sha256: str) -> bool:
        return _valid(sha256) and self.path(sha256).is_file()

    def size(self, sha256: str) -> int | None:
        if not self.exists(sha256):
            return None
        return self.path(sha256).stat().st_size
