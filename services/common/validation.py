"""Input checking for commands: collect every field's problem, then refuse at once.

check = Check()
name = check.text("name", raw.get("name"), max_len=100)
kind = check.choice("kind", raw.get("kind"), UnitKind)
check.done()          # raises InvalidInput naming every bad field
"""

from __future__ import annotations

import enum
import re
from datetime import date
from typing import Any, TypeVar

from services.common.errors import InvalidInput

SHA256 = re.compile(r"^[0-9a-fA-F]{64}$")
MEDIA_TYPE = re.compile(r"^[a-z]+/[A-Za-z0-9.+\-]+$")
IDENTIFIER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:\-]{0,63}$")
PHONE = re.compile(r"^[0-9+\-() ]{3,32}$")

T = TypeVar("T", bound=enum.Enum)


class Check:
    """Collects field problems; `done()` raises them together as InvalidInput."""

    def __init__(self, prefix: str = "") -> None:
        self.prefix = prefix
        self.fields: dict[str, str] = {}

    def fail(self, name: str, reason: str) -> None:
        self.fields.setdefault(self.prefix + name, reason)

    def text(
        self,
        name: str,
        value: Any,
        *,
        max_len: int = 200,
        required: bool = True,
    ) -> str:
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.fail(name, "required")
            return ""
        if not isinstance(value, str):
            self.fail(name, "bad_format")
            return ""
        text: str = value.strip()
        if len(text) > max_len:
            self.fail(name, "too_long")
        return text

    def identifier(self, name: str, value: Any, *, required: bool = True) -> str:
        text = self.text(name, value, max_len=64, required=required)
        if text and not IDENTIFIER.match(text):
            self.fail(name, "bad_format")
        return text

    def phone(self, name: str, value: Any, *, required: bool = True) -> str:
        text = self.text(name, value, max_len=32, required=required)
        if text and not PHONE.match(text):
            self.fail(name, "bad_format")
        return text

    def choice(self, name: str, value: Any, kind: type[T]) -> T | None:
        if value is None or value == "":
            self.fail(name, "required")
            return None
        if isinstance(value, kind):
            return value
        try:
            return kind(value)
        except ValueError:
            self.fail(name, "not_allowed")
            return None

    def day(self, name: str, value: Any, *, required: bool = True) -> date | None:
        if value is None or value == "":
            if required:
                self.fail(name, "required")
            return None
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            self.fail(name, "not_a_date")
            return None

    def number(
        self,
        name: str,
        value: Any,
        *,
        low: float | None = None,
        high: float | None = None,
        integer: bool = False,
    ) -> float:
        if isinstance(value, bool) or value is None:
            self.fail(name, "required" if value is None else "not_a_number")
            return 0
        try:
            number = int(value) if integer else float(value)
        except (TypeError, ValueError):
            self.fail(name, "not_a_number")
            return 0
        if integer and isinstance(value, float) and not value.is_integer():
            self.fail(name, "not_a_number")
        if (low is not None and number < low) or (high is not None and number > high):
            self.fail(name, "out_of_range")
        return number

    def flag(self, name: str, value: Any) -> bool:
        if isinstance(value, bool):
            return value
        if value in (None, ""):
            return False
        self.fail(name, "bad_format")
        return False

    def files(
        self, name: str, raw: Any, *, max_items: int, max_bytes: int
    ) -> list[tuple[str, str, int, str]]:
        """Metadata of uploaded files: (name, media type, size, lower-case sha256)."""
        if raw in (None, []):
            return []
        if not isinstance(raw, list):
            self.fail(name, "bad_format")
            return []
        if len(raw) > max_items:
            self.fail(name, "too_long")
            return []
        found = []
        for i, item in enumerate(raw):
            at = f"{name}[{i}]."
            if not isinstance(item, dict):
                self.fail(f"{name}[{i}]", "bad_format")
                continue
            file_name = self.text(at + "name", item.get("name"), max_len=200)
            media_type = self.text(
                at + "media_type", item.get("media_type"), max_len=100
            )
            if media_type and not MEDIA_TYPE.match(media_type):
                self.fail(at + "media_type", "bad_format")
            size = self.number(
                at + "size", item.get("size"), low=1, high=max_bytes, integer=True
            )
            digest = self.text(at + "sha256", item.get("sha256"), max_len=64)
            if digest and not SHA256.match(digest):
                self.fail(at + "sha256", "bad_format")
            found.append((file_name, media_type, int(size), digest.lower()))
        return found

    def done(self) -> None:
        if self.fields:
            raise InvalidInput(fields=dict(self.fields))


def not_after(today: date, **days: date | None) -> None:
    """Days on which something happened (held, checked, made, reviewed, published,
    closed) are recorded once it has: a day still to come is refused, 400
    `out_of_range` naming each such field."""
    late = {name: "out_of_range" for name, day in days.items() if day and day > today}
    if late:
        raise InvalidInput(fields=late)
