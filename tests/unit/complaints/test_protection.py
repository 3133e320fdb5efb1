"""Reporter protection: sealed identities, recorded reads, crypto-shredding."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

import pytest

from eventing.aggregate import CommandContext
from eventing.store.memory import MemoryEventStore
from services.complaints import commands as c
from services.complaints.handlers import OFFICE, ComplaintHandlers
from services.complaints.protection import commands as p
from services.complaints.protection.errors import (
    IdentityAccessDenied,
    IdentityForgotten,
)
from services.complaints.protection.keys import KeyStore, MemoryKeyStore
from services.complaints.protection.vault import Identity, IdentityVault
from tests.unit.complaints.factory import directory
from tests.unit.complaints.test_handlers import (
    AS_INVESTIGATOR,
    INVESTIGATOR,
    ZJJ,
    Clock,
    receive,
    report,
)

OFFICE_CLERK = CommandContext(bureau_id="zjj", actor="zjj.p-office")
COLLEAGUE = CommandContext(bureau_id="zjj", actor="zjj.p-colleague")
AT = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)


class KeyStoreContract:
    """What every key store does; subclasses provide the `keys` fixture."""

    def test_a_new_key_is_256_bits_and_can_be_read_back(self, keys: KeyStore):
        ref = uuid.uuid4().hex
        key = keys.create(ref)
        assert len(key) == 32
        assert keys.get(ref) == key

    def test_an_unknown_reporter_has_no_key(self, keys: KeyStore):
        assert keys.get(uuid.uuid4().hex) is None

    def test_a_destroyed_key_is_gone_for_good(self, keys: KeyStore):
        ref = uuid.uuid4().hex
        keys.create(ref)
        assert keys.destroy(ref, AT) is True
        assert keys.get(ref) is None
        assert keys.destroy(ref, AT) is False

    def test_destroying_one_key_leaves_the_others(self, keys: KeyStore):
        kept, shredded = uuid.uuid4().hex, uuid.uuid4().hex
        key = keys.create(kept)
        keys.create(shredded)
        keys.destroy(shredded, AT)
        assert keys.get(kept) == key


class TestMemoryKeyStore(KeyStoreContract):
    @pytest.fixture
    def keys(self) -> KeyStore:
        return MemoryKeyStore()


class TestVault:
    def test_a_sealed_identity_opens_with_its_key_and_not_after_shredding(self):
        keys = MemoryKeyStore()
        vault = IdentityVault(keys)
        sealed = vault.seal("r1", Identity("王小明", "13800000000"))
        assert "王小明" not in sealed.ciphertext
        assert vault.open("r1", sealed) == Identity("王小明", "13800000000")
        keys.destroy("r1", AT)
        assert vault.open("r1", sealed) is None

    def test_a_sealed_identity_does_not_open_under_another_reporters_ref(self):
        keys = MemoryKeyStore()
        vault = IdentityVault(keys)
        sealed = vault.seal("r1", Identity("王小明", None))
        vault.seal("r2", Identity("李四", None))
        assert vault.open("r2", sealed) is None


@pytest.fixture
def store() -> MemoryEventStore:
    return MemoryEventStore()


@pytest.fixture
def handlers(store: MemoryEventStore) -> ComplaintHandlers:
    return ComplaintHandlers(store, Clock(), MemoryKeyStore(), directory())


def assigned(handlers: ComplaintHandlers, **fields: str | None) -> str:
    cid, _ = receive(handlers, **fields)
    handlers.accept(c.AcceptComplaint(cid, ""), ZJJ)
    handlers.assign(c.AssignInvestigator(cid, INVESTIGATOR, ""), ZJJ)
    return cid


def everything(store: MemoryEventStore) -> str:
    return json.dumps([e.data for e in store.read_all()], ensure_ascii=False)


class TestIdentityIsSealed:
    def test_no_event_holds_the_reporters_name_or_contact(self, handlers, store):
        assigned(handlers)
        assert "王小明" not in everything(store)
        assert "13800000000" not in everything(store)
        assert "ReporterIdentitySealed" in [e.type for e in store.read_all()]

    def test_the_staff_view_says_only_whether_the_report_is_anonymous(self, handlers):
        cid = assigned(handlers)
        staff = handlers.complaint(cid, ZJJ)
        assert staff["anonymous"] is False
        assert "王小明" not in json.dumps(staff, ensure_ascii=False)


class TestReadingTheIdentity:
    def test_the_assigned_investigator_reads_it_and_the_read_is_recorded(
        self, handlers, store
    ):
        cid = assigned(handlers)
        identity = handlers.read_identity(p.ComplaintRef(cid), AS_INVESTIGATOR, ())
        assert (identity["name"], identity["contact"]) == ("王小明", "13800000000")
        viewed = [e for e in store.read_all() if e.type == "ReporterIdentityViewed"]
        assert len(viewed) == 1
        assert viewed[0].data["viewer"] == INVESTIGATOR
        assert viewed[0].data["role"] == "investigator"
        assert viewed[0].data["complaint_id"] == cid

    def test_the_leading_group_office_reads_it_and_every_read_is_recorded(
        self, handlers
    ):
        cid = assigned(handlers)
        handlers.read_identity(p.ComplaintRef(cid), OFFICE_CLERK, {OFFICE})
        second = handlers.read_identity(p.ComplaintRef(cid), OFFICE_CLERK, {OFFICE})
        assert [r["viewer"] for r in second["reads"]] == ["zjj.p-office"] * 2
        assert {r["role"] for r in second["reads"]} == {OFFICE}

    @pytest.mark.parametrize("roles", [(), ("staff",), ("leading_group", "unit_head")])
    def test_anyone_else_is_refused_and_nothing_is_revealed(
        self, handlers, store, roles
    ):
        cid = assigned(handlers)
        head = store.head()
        with pytest.raises(IdentityAccessDenied):
            handlers.read_identity(p.ComplaintRef(cid), COLLEAGUE, roles)
        assert store.head() == head

    def test_an_investigator_of_another_case_is_refused(self, handlers):
        cid = assigned(handlers)
        other = CommandContext(bureau_id="zjj", actor="zjj.p-other-investigator")
        with pytest.raises(IdentityAccessDenied):
            handlers.read_identity(p.ComplaintRef(cid), other, ())

    def test_an_anonymous_report_has_nothing_to_read(self, handlers):
        cid = assigned(handlers, reporter_name=None, reporter_contact=None)
        answer = handlers.read_identity(p.ComplaintRef(cid), OFFICE_CLERK, {OFFICE})
        assert answer["anonymous"] is True
        assert answer["name"] is None


class TestForgettingTheReporter:
    def test_after_forgetting_the_identity_is_unreadable_and_the_log_intact(
        self, handlers, store
    ):
        cid = assigned(handlers)
        handlers.read_identity(p.ComplaintRef(cid), OFFICE_CLERK, {OFFICE})
        before = store.read_all()

        answer = handlers.forget_reporter(
            p.ForgetReporter(cid, "举报人要求删除个人信息"), OFFICE_CLERK, {OFFICE}
        )

        assert answer["forgotten"] is True
        after = store.read_all()
        assert after[: len(before)] == before
        assert [e.type for e in after[len(before) :]] == ["ReporterForgotten"]
        assert store.verify().ok
        for ctx, roles in ((OFFICE_CLERK, {OFFICE}), (AS_INVESTIGATOR, set())):
            with pytest.raises(IdentityForgotten):
                handlers.read_identity(p.ComplaintRef(cid), ctx, roles)

    def test_the_sealed_identity_stays_in_the_log_but_no_key_opens_it(self, store):
        keys = MemoryKeyStore()
        handlers = ComplaintHandlers(store, Clock(), keys, directory())
        cid = assigned(handlers)
        handlers.forget_reporter(
            p.ForgetReporter(cid, "依申请删除"), OFFICE_CLERK, {OFFICE}
        )
        sealed = next(e for e in store.read_all() if e.type == "ReporterIdentitySealed")
        assert sealed.data["ciphertext"]
        assert keys.get(sealed.data["reporter_ref"]) is None

    def test_the_case_goes_on_after_its_reporter_is_forgotten(self, handlers):
        cid = assigned(handlers)
        handlers.forget_reporter(
            p.ForgetReporter(cid, "依申请删除"), OFFICE_CLERK, {OFFICE}
        )
        started = handlers.start(c.StartInvestigation(cid), AS_INVESTIGATOR)
        assert started["state"] == "investigating"

    def test_forgetting_twice_records_it_once(self, handlers, store):
        cid = assigned(handlers)
        for _ in range(2):
            handlers.forget_reporter(
                p.ForgetReporter(cid, "依申请删除"), OFFICE_CLERK, {OFFICE}
            )
        forgotten = [e for e in store.read_all() if e.type == "ReporterForgotten"]
        assert len(forgotten) == 1

    def test_only_the_leading_group_office_may_forget(self, handlers):
        cid = assigned(handlers)
        with pytest.raises(IdentityAccessDenied):
            handlers.forget_reporter(
                p.ForgetReporter(cid, "依申请删除"), AS_INVESTIGATOR, ()
            )
        identity = handlers.read_identity(p.ComplaintRef(cid), AS_INVESTIGATOR, ())
        assert identity["name"] == "王小明"

    def test_a_report_without_a_name_but_with_a_contact_is_sealed_too(self, handlers):
        answer = handlers.receive(report(reporter_name=None), ZJJ)
        cid = answer["complaint"]["complaint_id"]
        identity = handlers.read_identity(p.ComplaintRef(cid), OFFICE_CLERK, {OFFICE})
        assert (identity["name"], identity["contact"]) == (None, "13800000000")
