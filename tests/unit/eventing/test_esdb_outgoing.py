"""What the EventStoreDB adapter hands esdbclient: the bytes and ids of the plain
form (json.dumps, uuid.UUID, sha256 over the canonical fields), however it makes
them."""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import json
import pickle
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from esdbclient import NewEvent as EsdbNewEvent
from esdbclient import StreamState
from esdbclient.exceptions import DeadlineExceeded

from eventing.errors import StoreUnavailable
from eventing.events import (
    GENESIS_HASH,
    NO_STREAM,
    Metadata,
    NewEvent,
    all_canonical_ids,
    utc_iso,
)
from eventing.store import esdb
from eventing.store.esdb import EsdbEventStore, _esdb_ids
from tests.unit.eventing.reference import canonical_json

RECORDED = datetime(2026, 3, 1, 8, 30, 15, 123456, tzinfo=UTC)
RECORDED_TEXT = "2026-03-01T08:30:15.123456+00:00"


class RecordingClient:
    """Stands in for esdbclient's client (outside the system): keeps each append."""

    def __init__(self, uri: str) -> None:
        self.appended: list[EsdbNewEvent] = []

    def get_commit_position(self, **_: object) -> int:
        raise AssertionError("a filtered read of $all backwards: not at start")

    def get_current_version(self, name: str, **_: object) -> StreamState:
        return StreamState.NO_STREAM

    def append_to_stream(
        self, name: str, current_version: object, events: Any, timeout: float
    ) -> int:
        self.appended.extend(events)
        return 1000 + len(self.appended)

    def close(self) -> None:
        pass


@pytest.fixture
def store(monkeypatch: pytest.MonkeyPatch) -> EsdbEventStore:
    monkeypatch.setattr(esdb, "EventStoreDBClient", RecordingClient)
    return EsdbEventStore("esdb://recording", clock=lambda: RECORDED)


def sent(store: EsdbEventStore) -> list[EsdbNewEvent]:
    client = store._client
    assert isinstance(client, RecordingClient)
    return client.appended


def expected_metadata(
    stream: str, version: int, event: NewEvent, metadata: Metadata, prev: str
) -> bytes:
    """The metadata JSON, digest and link computed the slow, plain way."""
    digest = hashlib.sha256(
        canonical_json(
            [
                event.event_id,
                event.type,
                event.schema_version,
                stream,
                version,
                RECORDED_TEXT,
                metadata.service,
                metadata.bureau_id,
                metadata.actor,
                metadata.correlation_id,
                metadata.causation_id,
                dict(event.data),
            ]
        )
    ).digest()
    link = hashlib.sha256(bytes.fromhex(prev) + digest).hexdigest()
    return json.dumps(
        {
            "schema_version": event.schema_version,
            "service": metadata.service,
            "bureau_id": metadata.bureau_id,
            "actor": metadata.actor,
            "correlation_id": metadata.correlation_id,
            "causation_id": metadata.causation_id,
            "recorded_at": RECORDED_TEXT,
            "prev_hash": prev,
            "hash": link,
        },
        separators=(",", ":"),
    ).encode()


class TestWhatAnAppendSends:
    @pytest.mark.parametrize(
        "metadata",
        [
            # a field to escape: the metadata JSON is json.dumps' whole
            Metadata("ledger", "bureau-1", '局长 "Wang"', None, "cause-1"),
            Metadata("ledger", "bureau-1", "back\\slash", None, None),
            # the usual fields (ids, ASCII): quoted as they are, the same bytes
            Metadata("ledger", "bureau-1", "officer-7", str(uuid.uuid4()), None),
            Metadata("ledger", None, None, None, None),
        ],
        ids=["escaped", "backslash", "plain", "only-service"],
    )
    def test_payloads_metadata_and_hashes_are_the_plain_form(
        self, store: EsdbEventStore, metadata: Metadata
    ):
        events = [
            NewEvent("ProblemLogged", {"title": "慢", "n": [1, 2.5, None]}),
            NewEvent("ProblemLogged", {"b": {"z": 1, "a": "\u0000"}}, schema_version=3),
            NewEvent("NoteAdded", {}, event_id=str(uuid.uuid4()).upper()),
        ]
        store.append("ledger-7", events, NO_STREAM, metadata)
        store.append("ledger-7", [NewEvent("NoteAdded", {"x": 1})], 3, metadata)
        events += [NewEvent("NoteAdded", {"x": 1})]
        outgoing = sent(store)
        prev = GENESIS_HASH
        for version, (event, out) in enumerate(
            zip(events[:3], outgoing[:3], strict=True), start=1
        ):
            assert out.type == event.type
            assert out.data == canonical_json(dict(event.data))
            assert out.metadata == expected_metadata(
                "ledger-7", version, event, metadata, prev
            )
            prev = json.loads(out.metadata)["hash"]
        assert json.loads(outgoing[3].metadata)["prev_hash"] == prev

    def test_a_single_event_s_envelope_carries_the_hashes_sent(
        self, store: EsdbEventStore
    ):
        metadata = Metadata("ledger")
        result = store.append(
            "ledger-8", [NewEvent("NoteAdded", {})], NO_STREAM, metadata
        )
        (envelope,) = result.envelopes
        stored = json.loads(sent(store)[0].metadata)
        assert (envelope.prev_hash, envelope.hash) == (
            stored["prev_hash"],
            stored["hash"],
        )
        assert envelope.position == result.last_position

    def test_ids_are_the_uuids_of_the_event_ids(self, store: EsdbEventStore):
        given = str(uuid.uuid4())
        events = [
            NewEvent("NoteAdded", {}),
            NewEvent("NoteAdded", {}, event_id=given),
            NewEvent("NoteAdded", {}, event_id="{" + str(uuid.uuid4()).upper() + "}"),
            NewEvent("NoteAdded", {}, event_id=uuid.uuid4().urn),
        ]
        store.append("ledger-9", events, NO_STREAM, Metadata("ledger"))
        for event, out in zip(events, sent(store), strict=True):
            plain = uuid.UUID(event.event_id)
            assert out.id == plain
            assert str(out.id) == str(plain)


def _made(ids: list[str]) -> list[uuid.UUID]:
    """_esdb_ids as the adapter calls it: told whether the batch's ids are canonical."""
    return _esdb_ids(ids, all_canonical_ids(ids))


def _esdb_id(text: str) -> uuid.UUID:
    return _made([text])[0]


class TestEsdbId:
    @pytest.mark.parametrize(
        "text",
        [
            "5b0c3c5e-8d7e-4c59-9a3c-7c1f0e9d1a11",
            "00000000-0000-0000-0000-000000000000",
            "ffffffff-ffff-ffff-ffff-ffffffffffff",
            "5B0C3C5E-8D7E-4C59-9A3C-7C1F0E9D1A11",
            "{5b0c3c5e-8d7e-4c59-9a3c-7c1f0e9d1a11}",
            "5b0c3c5e8d7e4c599a3c7c1f0e9d1a11",
        ],
    )
    def test_it_is_uuid_dot_uuid_of_the_text(self, text: str):
        made, plain = _esdb_id(text), uuid.UUID(text)
        assert made == plain and plain == made
        assert hash(made) == hash(plain)
        assert {made} == {plain}
        assert str(made) == str(plain)
        assert made.int == plain.int and made.hex == plain.hex
        assert made.version == plain.version
        assert made.is_safe == plain.is_safe

    def test_it_orders_among_plain_uuids(self):
        low = "00000000-0000-4000-8000-000000000001"
        high = "00000000-0000-4000-8000-000000000002"
        assert _esdb_id(low) < uuid.UUID(high) and uuid.UUID(low) < _esdb_id(high)

    def test_a_copy_or_a_pickle_is_a_plain_equal_uuid(self):
        text = str(uuid.uuid4())
        made = _esdb_id(text)
        for again in (
            copy.copy(made),
            copy.deepcopy(made),
            pickle.loads(pickle.dumps(made)),
        ):
            assert type(again) is uuid.UUID
            assert again == made and str(again) == text

    def test_a_batch_with_one_id_in_another_form_is_parsed_id_by_id(self):
        canonical = [str(uuid.uuid4()) for _ in range(3)]
        other = str(uuid.uuid4()).upper()
        for ids in (canonical, [*canonical, other], [other, *canonical]):
            made = _made(ids)
            assert made == [uuid.UUID(text) for text in ids]
            assert [str(one) for one in made] == [str(uuid.UUID(t)) for t in ids]

    def test_a_bad_id_in_a_batch_is_refused_as_uuid_dot_uuid_refuses_it(self):
        with pytest.raises(ValueError):
            _made([str(uuid.uuid4()), "not-a-uuid"])

    def test_it_cannot_be_changed(self):
        made = _esdb_id(str(uuid.uuid4()))
        with pytest.raises(TypeError):
            made.int = 0  # type: ignore[misc]


class TestSeenIds:
    def test_at_least_the_newest_half_and_at_most_the_newest_size_are_kept(self):
        seen = esdb._SeenIds(size=10)
        ids = [f"id-{n}" for n in range(100)]
        for added in range(1, len(ids) + 1):
            seen.add(ids[added - 1 : added])
            known = seen.known(ids)
            assert known == ids[added - len(known) : added]  # the newest, in order
            assert min(added, 5) <= len(known) <= 10

    def test_a_batch_larger_than_half_is_kept_whole(self):
        seen = esdb._SeenIds(size=4)
        seen.add(["a", "b"])
        seen.add(["c", "d", "e"])
        assert seen.known(["a", "b", "c", "d", "e", "f"]) == ["c", "d", "e"]


class TestOutgoingEvents:
    """The adapter fills in esdbclient's NewEvent without its constructor only while
    that makes exactly what the constructor makes."""

    FIELDS = ("Probe", b'{"a":1}', b'{"m":2}', uuid.UUID(int=7))

    def test_an_appended_event_is_a_newevent_the_constructor_would_make(
        self, store: EsdbEventStore
    ):
        event = NewEvent("NoteAdded", {"a": 1})
        store.append("ledger-10", [event], NO_STREAM, Metadata("ledger"))
        (out,) = sent(store)
        made = EsdbNewEvent(
            type=out.type,
            data=out.data,
            metadata=out.metadata,
            content_type="application/json",
            id=out.id,
        )
        assert type(out) is EsdbNewEvent
        assert vars(out) == vars(made)
        with pytest.raises(dataclasses.FrozenInstanceError):
            out.data = b"{}"  # type: ignore[misc]

    def test_with_esdbclient_s_newevent_as_pinned_it_is_filled_in(self):
        assert esdb._new_event_maker() is esdb._filled_in
        assert vars(esdb._filled_in(*self.FIELDS)) == vars(
            esdb._constructed(*self.FIELDS)
        )

    @pytest.mark.parametrize("change", ["field", "post_init", "slots"])
    def test_a_newevent_made_otherwise_is_left_to_its_constructor(
        self, monkeypatch: pytest.MonkeyPatch, change: str
    ):
        if change == "field":

            @dataclasses.dataclass(frozen=True)
            class Changed(EsdbNewEvent):
                tenant: str = "t"

        elif change == "post_init":

            @dataclasses.dataclass(frozen=True)
            class Changed(EsdbNewEvent):  # type: ignore[no-redef]
                def __post_init__(self) -> None:
                    object.__setattr__(self, "type", self.type.lower())

        else:

            @dataclasses.dataclass(frozen=True, slots=True)
            class Changed(EsdbNewEvent):  # type: ignore[no-redef]
                pass

        monkeypatch.setattr(esdb, "EsdbNewEvent", Changed)
        assert esdb._new_event_maker() is esdb._constructed
        assert type(esdb._constructed(*self.FIELDS)) is Changed


class TestTheDefaultClock:
    """With no clock given, an append reads the system's time as text
    (esdb._UtcNowText) and makes the datetime only for its envelopes."""

    @pytest.mark.parametrize(
        "nanoseconds",
        [
            1_700_000_000_000_000_000,  # a whole second: microseconds written as 0
            1_700_000_000_123_456_789,  # floored to the microsecond, as now() is
            1_709_251_199_999_999_999,  # the last microsecond of February 2024
            946_684_800_000_001_000,  # 2000-01-01
        ],
    )
    def test_it_writes_what_utc_iso_writes_of_that_moment(self, nanoseconds: int):
        text = esdb._UtcNowText(lambda: nanoseconds)()
        seconds, micros = divmod(nanoseconds // 1000, 1_000_000)
        moment = datetime.fromtimestamp(seconds, UTC).replace(microsecond=micros)
        assert text == utc_iso(moment)
        assert datetime.fromisoformat(text) == moment

    def test_a_new_second_is_formatted_again(self):
        now = [1_700_000_000_999_999_000]
        clock = esdb._UtcNowText(lambda: now[0])
        assert clock() == "2023-11-14T22:13:20.999999+00:00"
        now[0] += 1_000
        assert clock() == "2023-11-14T22:13:21.000000+00:00"
        now[0] -= 2_000  # the system's clock stepped back: the earlier second again
        assert clock() == "2023-11-14T22:13:20.999998+00:00"

    def test_it_reads_the_system_s_clock(self):
        before = datetime.now(UTC)
        text = esdb._UtcNowText()()
        after = datetime.now(UTC)
        assert before <= datetime.fromisoformat(text) <= after

    def test_an_append_records_the_time_its_envelopes_carry(
        self, monkeypatch: pytest.MonkeyPatch
    ):
        monkeypatch.setattr(esdb, "EventStoreDBClient", RecordingClient)
        store = EsdbEventStore("esdb://recording")
        before = datetime.now(UTC)
        result = store.append(
            "ledger-9", [NewEvent("NoteAdded", {})], NO_STREAM, Metadata("ledger")
        )
        after = datetime.now(UTC)
        (envelope,) = result.envelopes
        stored = json.loads(sent(store)[0].metadata)
        assert envelope.recorded_at == datetime.fromisoformat(stored["recorded_at"])
        assert envelope.recorded_at.tzinfo is UTC
        assert before <= envelope.recorded_at <= after


class Unreachable(RecordingClient):
    """A client whose first call times out, repeating the URI it was given, as a
    client's message may."""

    def __init__(self, uri: str) -> None:
        super().__init__(uri)
        self.uri = uri

    def get_current_version(self, name: str, **_: object) -> StreamState:
        raise DeadlineExceeded(f"{self.uri} timed out")


class TestAnUnreachableServer:
    @pytest.fixture(autouse=True)
    def unreachable(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(esdb, "EventStoreDBClient", Unreachable)

    def test_the_error_names_the_uri_without_its_password(self):
        uri = "esdb://admin:s3cret-pw@node1:2113,node2:2113?Tls=true"
        with pytest.raises(StoreUnavailable) as refused:
            EsdbEventStore(uri)
        message = str(refused.value)
        assert "s3cret-pw" not in message
        assert message.count("esdb://admin:***@node1:2113,node2:2113?Tls=true") == 2
        assert "DeadlineExceeded" in message

    def test_a_uri_without_a_password_is_named_as_it_is(self):
        with pytest.raises(StoreUnavailable, match="at esdb://node1:2113: Deadline"):
            EsdbEventStore("esdb://node1:2113")


def test_opening_reads_one_unwritten_stream_and_not_the_log(
    monkeypatch: pytest.MonkeyPatch,
):
    """A filtered read of $all backwards (the namespace's head) scans the whole log
    of a shared cluster where the namespace is new: not a start-up check."""
    asked: list[str] = []

    class Counting(RecordingClient):
        def get_current_version(self, name: str, **_: object) -> StreamState:
            asked.append(name)
            return StreamState.NO_STREAM

    monkeypatch.setattr(esdb, "EventStoreDBClient", Counting)
    EsdbEventStore("esdb://node1:2113", namespace="district7_")
    assert asked == ["district7_eventing_connection_check-0"]
