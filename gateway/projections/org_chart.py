"""The org chart as tables: bureaus, units, people (from the organization service)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import ClassVar

from psycopg import sql

from eventing.events import Envelope
from gateway.projections.base import Connection, Projection, Tables

# event type -> (table, SQL with {table}, parameters from the envelope)
UNIT_UPDATES = {
    "UnitRenamed": ("name = %s", ("name",)),
    "UnitKindChanged": ("kind = %s", ("kind",)),
    "ServiceWindowFlagSet": ("service_window = %s", ("service_window",)),
    "HotlinePublished": (
        "hotline_number = %s, hotline_answerer = %s",
        ("number", "answered_by"),
    ),
    "UnitHeadAppointed": ("head_id = %s", ("person_id",)),
    "UnitHeadVacated": ("head_id = NULL", ()),
    "InfoOfficerAppointed": ("info_officer_id = %s", ("person_id",)),
    "InfoOfficerVacated": ("info_officer_id = NULL", ()),
}
PERSON_UPDATES = {
    "PersonDetailsChanged": ("name = %s, phone = %s", ("name", "phone")),
    "PersonTransferred": ("unit_id = %s", ("to_unit_id",)),
    "PositionChanged": ("position = %s", ("position",)),
    "PersonLeft": ("active = false", ()),
}


class OrgChartProjection(Projection):
    """Every bureau, unit and person, one row each, at their latest version."""

    name = "org_chart"
    categories = ("bureau", "unit", "person")
    tables: ClassVar[Mapping[str, str]] = {
        "org_bureaus": "bureau_id text PRIMARY KEY, district_id text NOT NULL, "
        "name text NOT NULL, version integer NOT NULL",
        "org_units": "unit_id text PRIMARY KEY, bureau_id text NOT NULL, "
        "code text NOT NULL, name text NOT NULL, kind text NOT NULL, "
        "service_window boolean NOT NULL, hotline_number text, hotline_answerer text, "
        "head_id text, info_officer_id text, version integer NOT NULL",
        "org_people": "person_id text PRIMARY KEY, bureau_id text NOT NULL, "
        "unit_id text NOT NULL, employee_no text NOT NULL, name text NOT NULL, "
        "position text NOT NULL, phone text NOT NULL, active boolean NOT NULL, "
        "version integer NOT NULL",
    }
    indexes: ClassVar[Mapping[str, Sequence[str]]] = {
        "org_units": ["(bureau_id, code)"],
        "org_people": ["(bureau_id, unit_id)"],
    }

    def apply(self, conn: Connection, tables: Tables, envelope: Envelope) -> None:
        data, kind = envelope.data, envelope.type
        key = envelope.stream.split("-", 1)[1]
        if kind == "BureauRegistered":
            conn.execute(
                sql.SQL("INSERT INTO {} VALUES (%s, %s, %s, %s)").format(
                    tables["org_bureaus"]
                ),
                (key, data["district_id"], data["name"], envelope.version),
            )
        elif kind == "BureauRenamed":
            self._update(conn, tables, "org_bureaus", "bureau_id", key, envelope,
                         "name = %s", (data["name"],))  # fmt: skip
        elif kind == "UnitRegistered":
            conn.execute(
                sql.SQL(
                    "INSERT INTO {} VALUES (%s, %s, %s, %s, %s, %s, NULL, NULL, NULL, "
                    "NULL, %s)"
                ).format(tables["org_units"]),
                (key, data["bureau_id"], data["code"], data["name"], data["kind"],
                 data["service_window"], envelope.version),
            )  # fmt: skip
        elif kind in UNIT_UPDATES:
            assignments, fields = UNIT_UPDATES[kind]
            self._update(conn, tables, "org_units", "unit_id", key, envelope,
                         assignments, tuple(data[f] for f in fields))  # fmt: skip
        elif kind == "PersonRegistered":
            conn.execute(
                sql.SQL(
                    "INSERT INTO {} VALUES (%s, %s, %s, %s, %s, %s, %s, true, %s)"
                ).format(tables["org_people"]),
                (key, data["bureau_id"], data["unit_id"], data["employee_no"],
                 data["name"], data["position"], data["phone"], envelope.version),
            )  # fmt: skip
        elif kind in PERSON_UPDATES:
            assignments, fields = PERSON_UPDATES[kind]
            self._update(conn, tables, "org_people", "person_id", key, envelope,
                         assignments, tuple(data[f] for f in fields))  # fmt: skip

    @staticmethod
    def _update(
        conn: Connection,
        tables: Tables,
        table: str,
        key_column: str,
        key: str,
        envelope: Envelope,
        assignments: str,
        values: tuple[object, ...],
    ) -> None:
        conn.execute(
            sql.SQL(
                "UPDATE {} SET " + assignments + ", version = %s WHERE {} = %s"
            ).format(tables[table], sql.Identifier(key_column)),
            (*values, envelope.version, key),
        )
