"""The blob store port: the filesystem adapter and the in-memory fake obey the
same rules (content-addressed, integrity-checked, size-limited)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

import pytest

from services.complaints import blobs
from services.complaints.blobs import FileBlobStore, MemoryBlobStore
from services.complaints.domain.errors import (
    AttachmentChecksumMismatch,
    AttachmentCorrupt,
    AttachmentMissing,
    AttachmentTooLarge,
)

DATA = "现场照片".encode() * 100
SHA = hashlib.sha256(DATA).hexdigest()


@pytest.fixture(params=["file", "memory"])
def store(request: Any, tmp_path: Path) -> Any:
    if request.param == "file":
        return FileBlobStore(tmp_path / "blobs", max_bytes=4096)
    return MemoryBlobStore(max_bytes=4096)


class TestBothAdapters:
    def test_put_answers_the_sha256_and_get_gives_the_bytes_back(self, store):
        assert store.put(DATA) == SHA
        assert store.get(SHA) == DATA
        assert store.exists(SHA)
        assert store.size(SHA) == len(DATA)

    def test_an_unknown_sha256_is_missing(self, store):
        other = hashlib.sha256(b"other").hexdigest()
        assert not store.exists(other)
        assert store.size(other) is None
        with pytest.raises(AttachmentMissing) as raised:
            store.get(other)
        assert raised.value.code == "attachment_missing"

    def test_a_stated_sha256_must_match_the_bytes(self, store):
        wrong = hashlib.sha256(b"something else").hexdigest()
        with pytest.raises(AttachmentChecksumMismatch) as raised:
            store.put(DATA, wrong)
        assert raised.value.details == {"expected": wrong, "actual": SHA}
        assert not store.exists(SHA) and not store.exists(wrong)
        assert store.put(DATA, SHA.upper()) == SHA  # a matching one is fine

    def test_the_size_limit_is_a_typed_error_and_nothing_is_stored(self, store):
        big = b"x" * 4097
        with pytest.raises(AttachmentTooLarge) as raised:
            store.put(big)
        assert raised.value.code == "attachment_too_large"
        assert raised.value.details == {"size": 4097, "limit": 4096}
        assert "4096" in raised.value.message("zh")
        assert not store.exists(hashlib.sha256(big).hexdigest())
        assert store.put(b"x" * 4096)  # the limit itself is allowed


class TestFileBlobStore:
    def test_files_live_under_the_first_two_hex_digits(self, tmp_path):
        store = FileBlobStore(tmp_path)
        store.put(DATA)
        assert (tmp_path / SHA[:2] / SHA[2:]).read_bytes() == DATA

    def test_the_same_file_twice_is_stored_once(self, tmp_path, monkeypatch):
        store = FileBlobStore(tmp_path)
        assert store.put(DATA) == SHA

        def no_second_write(*args: Any, **kwargs: Any) -> Any:
            raise AssertionError("an identical file is written again")

        monkeypatch.setattr(blobs.tempfile, "mkstemp", no_second_write)
        assert store.put(DATA) == SHA
        files = [p for p in tmp_path.rglob("*") if p.is_file()]
        assert files == [tmp_path / SHA[:2] / SHA[2:]]

    def test_a_write_is_fsynced_then_renamed_into_place(self, tmp_path, monkeypatch):
        calls: list[str] = []
        real_fsync, real_replace = os.fsync, os.replace
        target = tmp_path / SHA[:2] / SHA[2:]

        def fsync(fd: int) -> None:
            calls.append("fsync")
            real_fsync(fd)

        def replace(src: str, dst: Any) -> None:
            assert Path(src).parent == target.parent  # same directory: atomic
            assert Path(src).read_bytes() == DATA and not target.exists()
            calls.append("rename")
            real_replace(src, dst)

        monkeypatch.setattr(blobs.os, "fsync", fsync)
        monkeypatch.setattr(blobs.os, "replace", replace)
        FileBlobStore(tmp_path).put(DATA)
        assert calls == ["fsync", "rename", "fsync"]  # file, rename, directory
        assert target.read_bytes() == DATA

    def test_a_failed_write_leaves_neither_the_file_nor_a_temporary(
        self, tmp_path, monkeypatch
    ):
        def broken(src: str, dst: Any) -> None:
            raise OSError("disk full")

        monkeypatch.setattr(blobs.os, "replace", broken)
        store = FileBlobStore(tmp_path)
        with pytest.raises(OSError):
            store.put(DATA)
        assert not store.exists(SHA)
        assert [p for p in tmp_path.rglob("*") if p.is_file()] == []

    def test_corrupt_bytes_on_disk_are_never_served_and_a_put_repairs_them(
        self, tmp_path
    ):
        store = FileBlobStore(tmp_path)
        store.put(DATA)
        (tmp_path / SHA[:2] / SHA[2:]).write_bytes(b"bit rot")
        with pytest.raises(AttachmentCorrupt):
            store.get(SHA)
        assert store.put(DATA) == SHA
        assert store.get(SHA) == DATA

    def test_only_64_hex_digits_ever_name_a_file(self, tmp_path):
        store = FileBlobStore(tmp_path / "blobs")
        (tmp_path / "secret").write_bytes(b"not a blob")
        for name in ("../secret", "../../etc/passwd", SHA[:10], SHA.upper(), ""):
            assert not store.exists(name)
            assert store.size(name) is None
            with pytest.raises(AttachmentMissing):
                store.get(name)


class TestMemoryBlobStore:
    def test_the_same_file_twice_is_stored_once(self):
        store = MemoryBlobStore()
        store.put(DATA)
        store.put(DATA)
        assert list(store.blobs) == [SHA]

    def test_corrupt_bytes_are_never_served(self):
        store = MemoryBlobStore()
        store.put(DATA)
        store.blobs[SHA] = b"bit rot"
        with pytest.raises(AttachmentCorrupt):
            store.get(SHA)
