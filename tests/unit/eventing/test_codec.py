"""The JSON codec is deterministic and refuses what is not plain JSON."""

from __future__ import annotations

import dataclasses
import math
import pickle
import uuid
from datetime import UTC, datetime

import pytest

from eventing.errors import InvalidEvent, UndecodablePayload
from eventing.events import Envelope, NewEvent, decode_json, encode_json


class TestDeterministicJson:
    def test_key_order_does_not_change_the_bytes(self):
        assert encode_json({"b": 1, "a": {"d": 2, "c": 3}}) == encode_json(
            {"a": {"c": 3, "d": 2}, "b": 1}
        )

    def test_the_form_is_compact_utf8(self):
        assert encode_json({"问题": "慢", "n": [1, 2.5]}) == (
            '{"n":[1,2.5],"问题":"慢"}'.encode()
        )

    def test_decoding_then_encoding_gives_the_same_bytes(self):
        raw = encode_json({"x": [0.1, 1e100, -0.0, "\u0000", None]})
        assert encode_json(decode_json(raw)) == raw

    @pytest.mark.parametrize(
        "value", [{"t": datetime.now(UTC)}, {"f": math.nan}, {"s": {1, 2}}]
    )
    def test_a_value_that_is_not_plain_json_is_refused(self, value: object):
        with pytest.raises(UndecodablePayload):
            encode_json(value)

    def test_malformed_input_is_an_undecodable_payload(self):
        with pytest.raises(UndecodablePayload):
            decode_json(b"{not json")


class TestNewEvent:
    @pytest.mark.parametrize("name", ["", "lower", "With Space", "X"])
    def test_a_type_must_be_a_camel_case_name(self, name: str):
        with pytest.raises(InvalidEvent):
            NewEvent(name, {})

    def test_an_event_id_must_be_a_uuid(self):
        with pytest.raises(InvalidEvent):
            NewEvent("Received", {}, event_id="42")

    def test_a_schema_version_starts_at_one(self):
        with pytest.raises(InvalidEvent):
            NewEvent("Received", {}, schema_version=0)

    @pytest.mark.parametrize("data", [[("a", 1)], "{}", None])
    def test_a_payload_must_be_an_object(self, data: object):
        with pytest.raises(InvalidEvent, match="payload must be an object"):
            NewEvent("Received", data)  # type: ignore[arg-type]

    @pytest.mark.parametrize("event_id", [None, 42, "", "not-a-uuid"])
    def test_an_id_given_is_checked_even_when_empty_or_none(self, event_id: object):
        with pytest.raises(InvalidEvent, match="is not a UUID"):
            NewEvent("Received", {}, event_id=event_id)  # type: ignore[arg-type]

    def test_an_id_in_another_form_uuid_accepts_is_kept_as_given(self):
        text = "{" + uuid.uuid4().hex.upper() + "}"
        assert NewEvent("Received", {}, event_id=text).event_id == text

    def test_an_event_is_a_frozen_value(self):
        event = NewEvent("Received", {"a": 1}, 2, str(uuid.uuid4()))
        with pytest.raises(dataclasses.FrozenInstanceError):
            event.type = "Other"  # type: ignore[misc]
        assert event == NewEvent(
            type="Received", data={"a": 1}, schema_version=2, event_id=event.event_id
        )
        assert event != NewEvent("Received", {"a": 1}, 2)
        assert pickle.loads(pickle.dumps(event)) == event
        assert repr(event).startswith("NewEvent(type='Received', data={'a': 1}, ")

    def test_replace_makes_a_checked_copy(self):
        event = NewEvent("Received", {"a": 1})
        assert dataclasses.replace(event, schema_version=3) == NewEvent(
            "Received", {"a": 1}, 3, event.event_id
        )
        with pytest.raises(InvalidEvent):
            dataclasses.replace(event, event_id="42")


class TestEnvelopeWireForm:
    def test_an_envelope_survives_the_wire_form(self):
        envelope = Envelope(
            str(uuid.uuid4()), "Received", 2, "complaint-1", 3, 99,
            datetime(2026, 2, 1, 8, 30, 0, 123456, tzinfo=UTC), "complaints", "b1",
            "u1", "c1", None, {"a": [1]}, "0" * 64, "f" * 64,
        )  # fmt: skip
        assert Envelope.from_dict(envelope.to_dict()) == envelope

    def test_each_argument_lands_in_its_own_field_by_position_or_name(self):
        names = [field.name for field in dataclasses.fields(Envelope)]
        values = [object() for _ in names]  # distinct, so a swap shows
        for envelope in (
            Envelope(*values),  # type: ignore[arg-type]
            Envelope(**dict(zip(reversed(names), reversed(values), strict=True))),  # type: ignore[arg-type]
        ):
            assert [getattr(envelope, name) for name in names] == values

    def test_an_envelope_is_a_frozen_value(self):
        envelope = Envelope(
            str(uuid.uuid4()), "Received", 1, "complaint-1", 1, 7,
            datetime(2026, 2, 1, tzinfo=UTC), "complaints", None, None, None,
            None, {"a": 1}, "0" * 64, "f" * 64,
        )  # fmt: skip
        with pytest.raises(dataclasses.FrozenInstanceError):
            envelope.data = {}  # type: ignore[misc]
        assert pickle.loads(pickle.dumps(envelope)) == envelope
        changed = dataclasses.replace(envelope, data={"a": 2})
        assert changed.data == {"a": 2} and changed.hash == envelope.hash
        assert changed != envelope

    def test_a_message_that_is_not_an_envelope_is_undecodable(self):
        with pytest.raises(UndecodablePayload):
            Envelope.from_dict({"type": "Received"})
