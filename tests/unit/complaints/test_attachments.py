"""Attachments end to end on the fakes: upload, intake that refuses files that are
not there, and downloads only of the right complaint, for the right bureau."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

import pytest
from nameko.exceptions import deserialize, serialize
from nameko.testing.services import worker_factory

from eventing.aggregate import CommandContext
from eventing.store.memory import MemoryEventStore
from services.common.errors import InvalidInput, NotFound
from services.complaints import commands as c
from services.complaints.blobs import MAX_BLOB_BYTES, MemoryBlobStore
from services.complaints.directory import MemoryOrganization
from services.complaints.domain.errors import (
    AttachmentChecksumMismatch,
    AttachmentMissing,
    AttachmentTooLarge,
)
from services.complaints.domain.model import Attachment
from services.complaints.handlers import ComplaintHandlers
from services.complaints.protection import commands as p
from services.complaints.protection.keys import MemoryKeyStore
from services.complaints.service import ComplaintsService
from tests.unit.complaints.factory import directory
from tests.unit.complaints.test_handlers import Clock, report

ZJJ = CommandContext(bureau_id="zjj", actor="zjj.p-operator")
JTJ = CommandContext(bureau_id="jtj", actor="jtj.p-operator")
PHOTO = b"\xff\xd8\xff\xe0 a photo of the queue at window 3"
PHOTO_SHA = hashlib.sha256(PHOTO).hexdigest()


def upload(content: bytes = PHOTO, **fields: Any) -> c.UploadAttachment:
    return c.UploadAttachment.parse(
        {
            "name": "现场.jpg",
            "content_type": "image/jpeg",
            "content": base64.b64encode(content).decode(),
            **fields,
        }
    )


@pytest.fixture
def blobs() -> MemoryBlobStore:
    return MemoryBlobStore()


@pytest.fixture
def store() -> MemoryEventStore:
    return MemoryEventStore()


@pytest.fixture
def handlers(store: MemoryEventStore, blobs: MemoryBlobStore) -> ComplaintHandlers:
    return ComplaintHandlers(store, Clock(), MemoryKeyStore(), directory(), blobs=blobs)


class TestUploadCommand:
    def test_content_must_be_base64(self):
        with pytest.raises(InvalidInput) as raised:
            c.UploadAttachment.parse(
                {"name": "a.jpg", "content_type": "image/jpeg", "content": "@@@"}
            )
        assert raised.value.details["fields"] == {"content": "bad_format"}

    def test_every_bad_field_is_named(self):
        with pytest.raises(InvalidInput) as raised:
            c.UploadAttachment.parse({"content_type": "jpeg", "sha256": "abc"})
        assert raised.value.details["fields"] == {
            "name": "required",
            "content_type": "bad_format",
            "sha256": "bad_format",
            "content": "required",
        }

    def test_an_oversized_file_is_refused_before_it_is_decoded(self):
        huge = "A" * (4 * (MAX_BLOB_BYTES // 3 + 2))
        with pytest.raises(AttachmentTooLarge):
            c.UploadAttachment.parse(
                {"name": "a.bin", "content_type": "application/pdf", "content": huge}
            )

    def test_a_file_just_over_the_limit_is_refused_after_decoding(self):
        with pytest.raises(AttachmentTooLarge) as raised:
            upload(b"x" * (MAX_BLOB_BYTES + 1))
        assert raised.value.details == {
            "size": MAX_BLOB_BYTES + 1,
            "limit": MAX_BLOB_BYTES,
        }


class TestUploadAndIntake:
    def test_an_upload_answers_the_metadata_intake_takes(self, handlers, blobs, store):
        meta = handlers.upload_attachment(upload(), ZJJ)
        assert meta == {
            "name": "现场.jpg",
            "media_type": "image/jpeg",
            "size": len(PHOTO),
            "sha256": PHOTO_SHA,
        }
        assert blobs.get(PHOTO_SHA) == PHOTO
        assert store.read_all() == []  # bytes only; the metadata goes in the report
        answer = handlers.receive(report(attachments=[meta]), ZJJ)
        assert answer["complaint"]["attachments"] == [meta]

    def test_the_same_file_uploaded_twice_is_stored_once(self, handlers, blobs):
        first = handlers.upload_attachment(upload(), ZJJ)
        second = handlers.upload_attachment(upload(name="again.jpg"), ZJJ)
        assert first["sha256"] == second["sha256"]
        assert list(blobs.blobs) == [PHOTO_SHA]

    def test_a_stated_sha256_that_does_not_match_is_refused(self, handlers, blobs):
        wrong = hashlib.sha256(b"not the photo").hexdigest()
        with pytest.raises(AttachmentChecksumMismatch):
            handlers.upload_attachment(upload(sha256=wrong), ZJJ)
        assert blobs.blobs == {}

    def test_intake_refuses_a_file_that_was_never_uploaded(self, handlers, store):
        meta = {
            "name": "a.jpg",
            "media_type": "image/jpeg",
            "size": len(PHOTO),
            "sha256": PHOTO_SHA,
        }
        with pytest.raises(AttachmentMissing) as raised:
            handlers.receive(report(attachments=[meta]), ZJJ)
        assert raised.value.details == {"sha256": PHOTO_SHA}
        assert "upload" in raised.value.message("en")
        assert store.read_all() == []  # nothing written: no report, no receipt

    def test_intake_refuses_a_stated_size_that_differs(self, handlers, store):
        meta = handlers.upload_attachment(upload(), ZJJ)
        with pytest.raises(AttachmentMissing):
            handlers.receive(report(attachments=[{**meta, "size": 1}]), ZJJ)
        assert store.read_all() == []

    def test_added_information_refuses_unknown_files_too(self, handlers):
        code = handlers.receive(report(), ZJJ)["receipt_code"]
        meta = handlers.upload_attachment(upload(), ZJJ)
        ghost = {**meta, "sha256": hashlib.sha256(b"ghost").hexdigest()}
        with pytest.raises(AttachmentMissing):
            handlers.add_information(p.AddInformation(code, "补充", (_a(ghost),)), ZJJ)
        public = handlers.add_information(
            p.AddInformation(code, "补充照片", (_a(meta),)), ZJJ
        )
        assert public["your_additions"][-1]["attachments"] == [meta]


def _a(meta: dict[str, Any]) -> Attachment:
    return Attachment.from_dict(meta)


class TestDownload:
    def test_staff_of_the_bureau_download_an_attachment_of_the_complaint(
        self, handlers
    ):
        meta = handlers.upload_attachment(upload(), ZJJ)
        cid = handlers.receive(report(attachments=[meta]), ZJJ)["complaint"][
            "complaint_id"
        ]
        got = handlers.download_attachment(c.DownloadAttachment(cid, PHOTO_SHA), ZJJ)
        assert base64.b64decode(got["content"]) == PHOTO
        assert got["name"] == "现场.jpg" and got["complaint_id"] == cid

    def test_another_bureau_gets_not_found(self, handlers):
        meta = handlers.upload_attachment(upload(), ZJJ)
        cid = handlers.receive(report(attachments=[meta]), ZJJ)["complaint"][
            "complaint_id"
        ]
        with pytest.raises(NotFound) as raised:
            handlers.download_attachment(c.DownloadAttachment(cid, PHOTO_SHA), JTJ)
        assert raised.value.details == {"kind": "complaint", "id": cid}

    def test_a_stored_file_of_another_complaint_is_not_found(self, handlers):
        meta = handlers.upload_attachment(upload(), ZJJ)
        handlers.receive(report(attachments=[meta]), ZJJ)
        other = handlers.receive(report(description="另一件事"), ZJJ)
        cid = other["complaint"]["complaint_id"]
        with pytest.raises(NotFound) as raised:
            handlers.download_attachment(c.DownloadAttachment(cid, PHOTO_SHA), ZJJ)
        assert raised.value.details == {"kind": "attachment", "id": PHOTO_SHA}

    def test_a_file_the_reporter_added_by_receipt_code_can_be_downloaded(
        self, handlers
    ):
        answer = handlers.receive(report(), ZJJ)
        cid, code = answer["complaint"]["complaint_id"], answer["receipt_code"]
        meta = handlers.upload_attachment(upload(), ZJJ)
        handlers.add_information(p.AddInformation(code, "补充", (_a(meta),)), ZJJ)
        got = handlers.download_attachment(c.DownloadAttachment(cid, PHOTO_SHA), ZJJ)
        assert base64.b64decode(got["content"]) == PHOTO


class TestEntrypoints:
    @pytest.fixture
    def service(self, blobs: MemoryBlobStore) -> Any:
        return worker_factory(
            ComplaintsService,
            store=MemoryEventStore(),
            clock=Clock(),
            keys=MemoryKeyStore(),
            organization=MemoryOrganization(directory()),
            blobs=blobs,
        )

    def test_upload_intake_and_download_over_the_entrypoints(self, service):
        ctx = {"bureau_id": "zjj", "actor": "zjj.p-operator"}
        meta = service.upload_attachment(
            {
                "name": "现场.jpg",
                "content_type": "image/jpeg",
                "content": base64.b64encode(PHOTO).decode(),
            },
            ctx,
        )
        answer = service.receive_complaint(
            {
                "unit_id": "zjj.u003",
                "channel": "web_form",
                "category": "slow",
                "description": "窗口办事拖拉",
                "attachments": [meta],
            },
            ctx,
        )
        cid = answer["complaint"]["complaint_id"]
        got = service.download_attachment(
            {"complaint_id": cid, "sha256": meta["sha256"]}, ctx
        )
        assert base64.b64decode(got["content"]) == PHOTO
        with pytest.raises(InvalidInput):
            service.download_attachment({"complaint_id": cid, "sha256": "x"}, ctx)

    def test_the_attachment_errors_cross_rpc_as_themselves(self, service):
        ctx = {"bureau_id": "zjj", "actor": "zjj.p-operator"}
        meta = {"name": "a.jpg", "media_type": "image/jpeg", "size": 3}
        with pytest.raises(AttachmentMissing) as raised:
            service.receive_complaint(
                {
                    "unit_id": "zjj.u003",
                    "channel": "web_form",
                    "category": "slow",
                    "description": "窗口办事拖拉",
                    "attachments": [{**meta, "sha256": PHOTO_SHA}],
                },
                ctx,
            )
        again = deserialize(serialize(raised.value))
        assert isinstance(again, AttachmentMissing)
        assert again.details == {"sha256": PHOTO_SHA}
