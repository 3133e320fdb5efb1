"""The hot path's shortcuts give exactly what the plain library calls give."""

from __future__ import annotations

import json
import math
import uuid
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eventing.errors import InvalidEvent, UndecodablePayload
from eventing.events import (
    CANONICAL_UUID,
    EVENT_TYPE,
    Metadata,
    NewEvent,
    all_canonical_ids,
    encode_json,
    is_event_type,
    load_json,
    new_event_id,
    prebuilt_encoder,
    utc_iso,
)
from eventing.integrity import plain_shared_json, shared_json
from tests.unit.eventing.reference import canonical_json

scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)


class TestEncodeJson:
    @settings(max_examples=500, deadline=None)
    @given(value=values)
    def test_the_bytes_are_those_json_dumps_gives(self, value: Any):
        assert encode_json(value) == canonical_json(value)

    @pytest.mark.parametrize("number", [math.nan, math.inf, -math.inf])
    def test_nan_and_infinity_are_refused(self, number: float):
        with pytest.raises(UndecodablePayload, match="Out of range float"):
            encode_json({"deep": [1, {"x": number}]})

    @pytest.mark.parametrize(
        ("value", "reason"),
        [
            ({"s": {1, 2}}, "Object of type set is not JSON serializable"),
            ([b"raw"], "Object of type bytes is not JSON serializable"),
            ({1: 2, "a": 3}, "not supported between instances"),
        ],
    )
    def test_what_is_not_plain_json_is_refused_with_the_standard_reason(
        self, value: Any, reason: str
    ):
        with pytest.raises(UndecodablePayload, match=reason):
            encode_json(value)

    def test_a_circular_value_is_refused_as_circular(self):
        looped: dict[str, Any] = {"a": [1]}
        looped["a"].append(looped)
        with pytest.raises(UndecodablePayload, match="Circular reference") as caught:
            encode_json(looped)
        assert caught.value.__cause__ is not None
        assert caught.value.__cause__.__context__ is None  # no RecursionError shown

    def test_a_value_refused_once_encodes_once_mended(self):
        shared = {"inner": {"when": object()}}
        with pytest.raises(UndecodablePayload):
            encode_json(shared)
        shared["inner"]["when"] = "now"
        assert encode_json(shared) == b'{"inner":{"when":"now"}}'

    def test_a_value_shared_by_siblings_is_not_circular(self):
        leaf = {"k": [1, 2]}
        assert encode_json([leaf, leaf, {"again": leaf}]) == canonical_json(
            [leaf, leaf, {"again": leaf}]
        )

    @settings(max_examples=200, deadline=None)
    @given(value=values)
    def test_any_encoder_keeps_its_own_settings(self, value: Any):
        compact = json.JSONEncoder(separators=(",", ":"))
        assert prebuilt_encoder(compact)(value) == compact.encode(value)

    def test_an_indenting_encoder_is_used_as_it_is(self):
        indented = json.JSONEncoder(indent=2)
        assert prebuilt_encoder(indented)({"a": [1]}) == indented.encode({"a": [1]})

    def test_a_subclass_keeps_its_own_encode(self):
        class Shouting(json.JSONEncoder):
            def encode(self, o: Any) -> str:
                return super().encode(o).upper()

        assert prebuilt_encoder(Shouting())({"a": "b"}) == '{"A": "B"}'


def loads_outcome(raw: Any) -> tuple[str, Any]:
    """What json.loads does with `raw`: its value, or its error's type and text."""
    try:
        return "value", json.loads(raw)
    except Exception as error:  # the outcome compared, whatever it is
        return "error", (type(error), str(error))


def load_json_outcome(raw: Any) -> tuple[str, Any]:
    try:
        return "value", load_json(raw)
    except Exception as error:
        return "error", (type(error), str(error))


class TestLoadJson:
    @settings(max_examples=500, deadline=None)
    @given(value=values, spaced=st.booleans(), ascii_only=st.booleans())
    def test_the_value_is_the_one_json_loads_gives(
        self, value: Any, spaced: bool, ascii_only: bool
    ):
        text = json.dumps(value, ensure_ascii=ascii_only, indent=1 if spaced else None)
        for raw in (text, text.encode("utf-8")):
            assert load_json(raw) == json.loads(raw)
            assert load_json_outcome(raw) == loads_outcome(raw)

    @pytest.mark.parametrize(
        "raw",
        [
            b' {"a": 1}',  # whitespace around the value
            b'{"a": 1}\n',
            '\ufeff{"a": 1}'.encode("utf-8"),  # a byte order mark
            '{"a": "\u00e9"}'.encode("utf-16"),
            '{"a": "\u00e9"}'.encode("utf-16-le"),
            '{"a": "\u00e9"}'.encode("utf-32"),
            "1".encode("utf-16-le"),  # "1\x00" in UTF-8
            '{"a": NaN, "b": -Infinity}',
            '{"a": 1, "a": 2}',
            "12345678901234567890123456789",
            '"\\ud800"',  # a lone surrogate, escaped
        ],
    )
    def test_what_this_package_does_not_write_still_reads_as_json_loads_reads_it(
        self, raw: bytes | str
    ):
        assert load_json_outcome(raw) == loads_outcome(raw)

    @pytest.mark.parametrize(
        "raw",
        [
            b"",
            b"{",
            b'{"a": 1} {"b": 2}',  # two values
            b'{"a": 1}x',
            b'{"a": "\x00"}',  # a control character in a string
            b"\xff\xfe\xfd",  # not UTF-8, nor any encoding json.loads detects
            b"\xe9t\xe9",
            "[" * 100_000,  # too deep
            '{"a": 1}\ufeff',
            "{'a': 1}",
        ],
    )
    def test_what_is_not_json_fails_as_json_loads_fails(self, raw: bytes | str):
        kind, _ = loads_outcome(raw)
        assert kind == "error"
        assert load_json_outcome(raw) == loads_outcome(raw)

    @pytest.mark.parametrize("raw", [None, 1, memoryview(b"{}"), ["{}"]])
    def test_what_is_not_text_is_refused_as_json_loads_refuses_it(self, raw: Any):
        assert load_json_outcome(raw) == loads_outcome(raw)

    def test_a_refusal_is_not_chained_to_the_fast_path_s_own_error(self):
        with pytest.raises(json.JSONDecodeError) as refused:
            load_json(b"{")
        assert refused.value.__context__ is None

    def test_bytearray_and_string_subclasses_read_like_the_rest(self):
        class Text(str):
            pass

        assert load_json(bytearray(b'{"a": [1]}')) == {"a": [1]}
        assert load_json(Text('{"a": [1]}')) == {"a": [1]}


class TestNewEventId:
    def test_each_id_is_a_canonical_random_version_4_uuid(self):
        variants = set()
        for _ in range(20_000):
            text = new_event_id()
            parsed = uuid.UUID(text)
            assert parsed.version == 4
            assert parsed.variant == uuid.RFC_4122
            assert str(parsed) == text  # lower case, 8-4-4-4-12
            assert CANONICAL_UUID.match(text)
            variants.add(text[19])
        assert variants == set("89ab")

    def test_ids_do_not_repeat(self):
        assert len({new_event_id() for _ in range(20_000)}) == 20_000

    def test_every_bit_but_the_version_and_variant_is_random(self):
        every = (1 << 128) - 1
        set_seen = unset_seen = 0
        for _ in range(2_000):
            number = uuid.UUID(new_event_id()).int
            set_seen |= number
            unset_seen |= ~number & every
        fixed = (0xF << 76) | (0x3 << 62)  # uuid.uuid4 sets these, as here
        assert set_seen & unset_seen == every & ~fixed

    def test_a_new_event_takes_one_unless_given_its_id(self):
        assert uuid.UUID(NewEvent("Received", {}).event_id).version == 4
        given_id = str(uuid.uuid4())
        assert NewEvent("Received", {}, event_id=given_id).event_id == given_id


class TestAllCanonicalIds:
    """One match over a batch's ids joined says what a match of each would say."""

    ids = st.lists(
        st.one_of(
            st.uuids().map(str),
            st.uuids().map(lambda u: str(u).upper()),
            st.uuids().map(lambda u: f"{{{u}}}"),
            st.uuids().map(lambda u: u.hex),
            st.text(alphabet="0123456789abcdef-", min_size=30, max_size=42),
        ),
        max_size=6,
    )

    @given(ids)
    @settings(max_examples=300)
    def test_it_is_a_match_of_each(self, ids: list[str]):
        each = bool(ids) and all(CANONICAL_UUID.match(i) for i in ids)
        assert all_canonical_ids(ids) == each

    def test_ids_that_only_line_up_when_joined_are_refused(self):
        one, two = str(uuid.uuid4()), str(uuid.uuid4())
        joined = one + two  # two canonical ids, cut in the wrong place
        assert not all_canonical_ids([joined[:30], joined[30:]])
        assert not all_canonical_ids([one[:35], one[35:] + two])
        assert all_canonical_ids([one, two])

    def test_anything_but_a_plain_str_is_refused(self):
        class Text(str):
            def __len__(self) -> int:
                return 36

        text = str(uuid.uuid4())
        assert not all_canonical_ids([])
        assert not all_canonical_ids([text, Text(text)])
        assert not all_canonical_ids([text, text.encode()])  # type: ignore[list-item]
        assert not all_canonical_ids([text, None])  # type: ignore[list-item]


class TestEventTypeNames:
    @pytest.mark.parametrize(
        "name",
        [
            "Received",
            "ProblemLogged",
            "A1",
            "Received\n",
            "received",
            "X",
            "",
            "With Space",
        ],
    )
    def test_the_answer_is_the_pattern_s_whether_remembered_or_not(self, name: str):
        expected = EVENT_TYPE.match(name) is not None
        assert is_event_type(name) is expected
        assert is_event_type(name) is expected  # a second time: from memory

    def test_a_name_that_is_not_a_string_is_refused(self):
        assert not is_event_type(None)
        assert not is_event_type(["Received"])
        assert not is_event_type(b"Received")

    def test_a_string_subclass_is_checked_like_a_string(self):
        class Name(str):
            pass

        assert is_event_type(Name("Received"))
        assert not is_event_type(Name("received"))


class TestUtcIso:
    @settings(max_examples=300, deadline=None)
    @given(
        moment=st.datetimes(timezones=st.just(UTC))
        | st.datetimes(timezones=st.timezones()),
    )
    def test_it_is_isoformat_in_utc_with_microseconds(self, moment: datetime):
        assert utc_iso(moment) == moment.astimezone(UTC).isoformat(
            timespec="microseconds"
        )

    @pytest.mark.parametrize("micro", [0, 1, 500_000, 999_999])
    def test_whole_seconds_keep_their_microseconds(self, micro: int):
        moment = datetime(2026, 12, 7, 18, 30, 5, micro, tzinfo=UTC)
        assert utc_iso(moment) == f"2026-12-07T18:30:05.{micro:06d}+00:00"

    def test_another_zone_is_written_in_utc(self):
        east = datetime(2026, 12, 8, 2, 30, 5, 7, tzinfo=timezone(timedelta(hours=8)))
        assert utc_iso(east) == "2026-12-07T18:30:05.000007+00:00"

    def test_a_subclass_takes_the_plain_path(self):
        """The shortcut is for datetime itself: a subclass's own isoformat is
        called as the plain path calls it."""

        class Moment(datetime):
            def isoformat(self, sep: str = "T", timespec: str = "auto") -> str:
                return f"{timespec}!"

        moment = Moment(2026, 12, 7, 18, 30, 5, 7, tzinfo=UTC)
        assert utc_iso(moment) == moment.astimezone(UTC).isoformat(
            timespec="microseconds"
        )

    def test_a_naive_time_is_refused(self):
        with pytest.raises(InvalidEvent):
            utc_iso(datetime(2026, 12, 7, 18, 30, 5, 7))


# ids and names as services write them, and anything at all
field_text = st.from_regex(r"[ -~]{0,20}", fullmatch=True) | st.text(max_size=12)


class TestSharedJson:
    @settings(max_examples=400, deadline=None)
    @given(
        recorded=field_text,
        bureau=st.none() | field_text,
        actor=st.none() | field_text,
        correlation=st.none() | field_text,
        causation=st.none() | field_text,
    )
    def test_each_field_is_its_canonical_json_and_plain_ones_json_dumps_too(
        self, recorded, bureau, actor, correlation, causation
    ):
        metadata = Metadata("ledger", bureau, actor, correlation, causation)
        values = [recorded, "ledger", bureau, actor, correlation, causation]
        assert shared_json(recorded, metadata) == [encode_json(v) for v in values]
        plain = plain_shared_json(recorded, metadata)
        usual = all(
            v is None or (v.isascii() and v.isprintable() and not {'"', "\\"} & set(v))
            for v in values
        )
        assert (plain is not None) == usual
        if plain is not None:  # the same bytes in the metadata's ASCII-escaped JSON
            assert plain == [json.dumps(v).encode() for v in values]

    def test_a_text_subclass_is_encoded_as_its_text(self):
        class Loud(str):
            def encode(self, *_: Any, **__: Any) -> bytes:
                return b"LOUD"

        metadata = Metadata("ledger", Loud("bureau-1"), None, None, None)
        assert (
            shared_json("t", metadata)[2]
            == b'"bureau-1"'
            == encode_json(Loud("bureau-1"))
        )

    def test_a_field_that_is_not_text_is_encoded_as_it_is(self):
        metadata = Metadata("ledger", 7, None, None, None)  # type: ignore[arg-type]
        assert plain_shared_json("t", metadata) is None
        assert shared_json("t", metadata) == [b'"t"', b'"ledger"', b"7"] + [b"null"] * 3
