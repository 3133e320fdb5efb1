"""Campaigns: one row per bureau and year with its phase dates and settings.

The counts on the overview (ledger items, complaints) are not kept here: the query
derives them from `ledger_board` and `complaint_queue` at read time, so they can never
disagree with the boards (see gateway/queries/campaign_overview.py).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import ClassVar

from psycopg import sql
from psycopg.types.json import Jsonb

from eventing.events import Envelope
from gateway.projections.base import Connection, Projection, Tables


class CampaignOverviewProjection(Projection):
    """Every campaign (bureau and year): name, phases, settings."""

    name = "campaign_overview"
    categories = ("campaign",)
    tables: ClassVar[Mapping[str, str]] = {
        "campaign_overview": "campaign_id text PRIMARY KEY, bureau_id text NOT NULL, "
        "year integer NOT NULL, name text NOT NULL, phases jsonb NOT NULL, "
        "settings jsonb NOT NULL, launched_at timestamptz NOT NULL, "
        "last_event_at timestamptz NOT NULL, version integer NOT NULL"
    }
    indexes: ClassVar[Mapping[str, Sequence[str]]] = {
        "campaign_overview": ["UNIQUE (bureau_id, year)", "(year, bureau_id)"]
    }

    def apply(self, conn: Connection, tables: Tables, envelope: Envelope) -> None:
        data, kind = envelope.data, envelope.type
        campaign_id = envelope.stream.split("-", 1)[1]
        table = tables["campaign_overview"]
        if kind == "CampaignLaunched":
            conn.execute(
                sql.SQL(
                    "INSERT INTO {} VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)"
                ).format(table),
                (campaign_id, data["bureau_id"], data["year"], data["name"],
                 Jsonb(data["phases"]), Jsonb(data["settings"]),
                 envelope.recorded_at, envelope.recorded_at, envelope.version),
            )  # fmt: skip
            return
        if kind == "CampaignRescheduled":
            assignment, value = "phases = %s", Jsonb(data["phases"])
        elif kind == "CampaignSettingsChanged":
            assignment, value = "settings = %s", Jsonb(data["settings"])
        else:
            return
        conn.execute(
            sql.SQL(
                "UPDATE {} SET " + assignment + ", version = %s, last_event_at = %s "
                "WHERE campaign_id = %s"
            ).format(table),
            (value, envelope.version, envelope.recorded_at, campaign_id),
        )
