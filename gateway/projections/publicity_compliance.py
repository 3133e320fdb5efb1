"""Publicity quota compliance: one row per unit and decided period.

From the publicity service's `QuotaMet` / `QuotaMissed` (stream
`quota_period-<unit>.<period type>.<start>`); a period decided again keeps its latest
decision.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import ClassVar

from psycopg import sql

from eventing.events import Envelope
from gateway.projections.base import Connection, Projection, Tables

COLUMNS = (
    "period_id text PRIMARY KEY, bureau_id text NOT NULL, unit_id text NOT NULL, "
    "kind text NOT NULL, period_type text NOT NULL, period_start date NOT NULL, "
    "period_end date NOT NULL, required integer NOT NULL, "
    "submitted integer NOT NULL, met boolean NOT NULL, reason text, "
    "info_officer_id text, decided_at timestamptz NOT NULL, version integer NOT NULL"
)


class PublicityComplianceProjection(Projection):
    """Whether each unit met its article quota, period by period."""

    name = "publicity_compliance"
    categories = ("quota_period",)
    tables: ClassVar[Mapping[str, str]] = {"publicity_compliance": COLUMNS}
    indexes: ClassVar[Mapping[str, Sequence[str]]] = {
        "publicity_compliance": [
            "(bureau_id, period_end, period_id)",
            "(bureau_id, unit_id, period_end)",
            "(unit_id, period_end)",
        ]
    }

    def apply(self, conn: Connection, tables: Tables, envelope: Envelope) -> None:
        if envelope.type not in ("QuotaMet", "QuotaMissed"):
            return
        data = envelope.data
        met = envelope.type == "QuotaMet"
        conn.execute(
            sql.SQL(
                "INSERT INTO {} VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, "
                "%s, %s, %s) ON CONFLICT (period_id) DO UPDATE SET "
                "required = EXCLUDED.required, submitted = EXCLUDED.submitted, "
                "met = EXCLUDED.met, reason = EXCLUDED.reason, "
                "info_officer_id = EXCLUDED.info_officer_id, "
                "decided_at = EXCLUDED.decided_at, version = EXCLUDED.version"
            ).format(tables["publicity_compliance"]),
            (envelope.stream.split("-", 1)[1], data["bureau_id"], data["unit_id"],
             data["kind"], data["period_type"], data["starts_on"], data["ends_on"],
             data["required"], data["submitted"], met,
             None if met else data.get("reason"), data.get("info_officer_id"),
             data["decided_at"], envelope.version),
        )  # fmt: skip
