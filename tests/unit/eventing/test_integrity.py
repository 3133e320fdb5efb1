"""The batch form of the hash chain gives the bytes of the one-event form."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eventing.errors import InvalidEvent, InvalidStreamName
from eventing.events import (
    GENESIS_HASH,
    Metadata,
    NewEvent,
    check_stream_name,
    encode_json,
    utc_iso,
)
from eventing.integrity import (
    batch_digests,
    canonical_fields,
    chain,
    chain_links,
    digest_with_payload,
)

RECORDED = datetime(2026, 3, 1, 8, 30, tzinfo=UTC)

text = st.text(max_size=12)  # any code point, quotes and control characters too
optional = st.none() | text
ids = st.uuids().map(str) | st.uuids().map(lambda u: "{" + str(u).upper() + "}")
ids |= st.uuids().map(lambda u: u.urn) | st.uuids().map(lambda u: u.hex)
types = st.from_regex(r"[A-Z][A-Za-z0-9]{1,20}", fullmatch=True)
payloads = st.dictionaries(text, st.none() | st.integers() | text, max_size=4)


def one_by_one(
    stream: str, expected: int, events: list[NewEvent], metadata: Metadata
) -> list[bytes]:
    return [
        digest_with_payload(
            canonical_fields(
                event_id=event.event_id,
                type=event.type,
                schema_version=event.schema_version,
                stream=stream,
                version=expected + offset + 1,
                recorded_at=RECORDED,
                service=metadata.service,
                bureau_id=metadata.bureau_id,
                actor=metadata.actor,
                correlation_id=metadata.correlation_id,
                causation_id=metadata.causation_id,
            ),
            encode_json(dict(event.data)),
        )
        for offset, event in enumerate(events)
    ]


class TestBatchDigests:
    @settings(max_examples=200, deadline=None)
    @given(
        events=st.lists(
            st.builds(
                NewEvent,
                type=types,
                data=payloads,
                schema_version=st.integers(1, 10**6),
                event_id=ids,
            ),
            min_size=1,
            max_size=5,
        ),
        expected=st.integers(0, 10**9),
        bureau=optional,
        actor=optional,
        correlation=optional,
        causation=optional,
        stream_id=st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_.:\-]{0,30}", fullmatch=True),
    )
    def test_equal_to_digesting_each_event_alone(
        self, events, expected, bureau, actor, correlation, causation, stream_id
    ):
        stream = f"ledger-{stream_id}"
        metadata = Metadata("ledger", bureau, actor, correlation, causation)
        payloads = [encode_json(dict(event.data)) for event in events]
        assert batch_digests(
            stream, expected, events, payloads, utc_iso(RECORDED), metadata
        ) == one_by_one(stream, expected, events, metadata)

    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("schema_version", True),  # an int to isinstance, "true" in JSON
            ("event_id", 'say "hi"'),  # needs escaping
            ("type", "not a type"),
            ("type", ["Listed"]),
        ],
    )
    def test_a_batch_with_an_event_past_newevent_s_checks_digests_as_one_by_one(
        self, field: str, value: object
    ):
        """NewEvent refuses such values; one set behind its back must still be
        digested as the single-event form digests it, not spliced in raw."""
        meta = Metadata("ledger", "bureau-1", "officer-1", "corr", None)
        events = [NewEvent("ProblemLogged", {"n": n}) for n in range(3)]
        object.__setattr__(events[1], field, value)
        payloads = [encode_json(dict(event.data)) for event in events]
        digests = batch_digests(
            "ledger-1", 4, events, payloads, utc_iso(RECORDED), meta
        )
        assert digests == one_by_one("ledger-1", 4, events, meta)

    def test_a_changed_field_changes_the_digest(self):
        event = NewEvent("ProblemLogged", {"title": "慢"}, event_id=str(uuid.uuid4()))
        payload = [encode_json(dict(event.data))]
        meta = Metadata("ledger", "bureau-1", "officer-1")
        first = batch_digests("ledger-1", 0, [event], payload, "t", meta)
        assert first != batch_digests("ledger-1", 1, [event], payload, "t", meta)
        assert first != batch_digests("ledger-2", 0, [event], payload, "t", meta)
        other = Metadata("ledger", "bureau-1", "officer-2")
        assert first != batch_digests("ledger-1", 0, [event], payload, "t", other)


class TestChainLinks:
    def test_each_link_chains_from_the_one_before(self):
        digests = [bytes([n]) * 32 for n in range(3)]
        links = chain_links(GENESIS_HASH, digests)
        prev = bytes.fromhex(GENESIS_HASH)
        for (before, link), digest in zip(links, digests, strict=True):
            assert before == prev
            assert link == chain(prev, digest)
            prev = link


class TestNamesEndWhereTheyEnd:
    """`$` lets a trailing newline through; names and types are whole matches."""

    def test_an_event_type_with_a_trailing_newline_is_refused(self):
        with pytest.raises(InvalidEvent):
            NewEvent("ProblemLogged\n", {})

    def test_a_stream_name_with_a_trailing_newline_is_refused(self):
        with pytest.raises(InvalidStreamName):
            check_stream_name("ledger-1\n")

    def test_a_service_name_with_a_trailing_newline_is_refused(self):
        with pytest.raises(InvalidEvent):
            Metadata("ledger\n")
