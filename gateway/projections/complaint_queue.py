"""The complaint queue: one row per complaint, with the deadline it runs against.

Nothing about the reporter is kept: not the opaque `reporter_ref`, not the receipt
code's hash, not the description or attachments (the case itself is read from the
complaints service by those allowed to). Only whether the report was anonymous.
`current_due` is derived from the status the way the service's `STAGE_OF` does.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from psycopg import sql

from eventing.events import Envelope
from gateway.projections.base import Connection, Projection, Tables

OPEN_STATUSES = (
    "received",
    "accepted",
    "assigned",
    "investigating",
    "concluded",
    "accountability_decided",
    "replied",
    "satisfaction_recorded",
)

_CURRENT_DUE = (
    "CASE WHEN status = 'received' THEN acceptance_due "
    "WHEN status IN ('accepted', 'assigned', 'investigating') THEN investigation_due "
    "WHEN status IN ('concluded', 'accountability_decided') THEN reply_due END"
)

COLUMNS = (
    "complaint_id text PRIMARY KEY, bureau_id text NOT NULL, unit_id text, "
    "channel text NOT NULL, category text NOT NULL, status text NOT NULL, "
    "anonymous boolean NOT NULL, received_at timestamptz NOT NULL, "
    "acceptance_due date, investigation_due date, reply_due date, "
    "investigator_id text, outcome text, accountability text, "
    "satisfaction text, resolved boolean NOT NULL DEFAULT false, "
    "extended boolean NOT NULL DEFAULT false, reopen_count integer NOT NULL "
    "DEFAULT 0, duplicate_of text, concluded_on_time boolean, "
    "criticism_proposed boolean NOT NULL DEFAULT false, "
    "last_event_at timestamptz NOT NULL, version integer NOT NULL, "
    f"current_due date GENERATED ALWAYS AS ({_CURRENT_DUE}) STORED, "
    f"due_key date GENERATED ALWAYS AS (COALESCE({_CURRENT_DUE}, "
    "'9999-12-31'::date)) STORED"
)

# event type -> (assignments, fields of the event's data they take, in order)
UPDATES: dict[str, tuple[str, tuple[str, ...]]] = {
    "ComplaintAccepted": ("status = 'accepted'", ()),
    "ComplaintRejected": ("status = 'rejected'", ()),
    "InvestigatorAssigned": (
        "status = 'assigned', investigator_id = %s",
        ("investigator_id",),
    ),
    "InvestigationStarted": ("status = 'investigating'", ()),
    "ComplaintConcluded": (
        "status = 'concluded', outcome = %s, reply_due = %s, concluded_on_time = %s",
        ("outcome", "reply_due", "on_time"),
    ),
    "AccountabilityDecided": (
        "status = 'accountability_decided', accountability = %s",
        ("kind",),
    ),
    "ReporterReplied": ("status = 'replied'", ()),
    "SatisfactionRecorded": (
        "status = 'satisfaction_recorded', satisfaction = %s",
        ("satisfaction",),
    ),
    "ComplaintReopened": (
        "status = CASE WHEN investigator_id IS NULL THEN 'accepted' "
        "ELSE 'assigned' END, reopen_count = reopen_count + 1, resolved = false, "
        "outcome = NULL, accountability = NULL, satisfaction = NULL, "
        "reply_due = NULL, concluded_on_time = NULL, investigation_due = %s",
        ("investigation_due",),
    ),
    "ComplaintClosed": ("status = 'closed', resolved = %s", ("resolved",)),
    "ComplaintSentBack": ("status = 'accepted', investigator_id = NULL", ()),
    "ComplaintTransferred": (
        "unit_id = %s, investigator_id = CASE WHEN status = 'received' THEN "
        "investigator_id END, status = CASE WHEN status = 'received' THEN status "
        "ELSE 'accepted' END",
        ("to_unit_id",),
    ),
    "DeadlinesRecomputed": (
        "acceptance_due = %s, investigation_due = %s, "
        "reply_due = COALESCE(%s, reply_due)",
        ("acceptance_due", "investigation_due", "reply_due"),
    ),
    "DuplicateFlagged": ("duplicate_of = %s", ("duplicate_of",)),
    "CriticismProposed": ("criticism_proposed = true", ()),
}
STAGE_COLUMN = {
    "acceptance": "acceptance_due",
    "investigation": "investigation_due",
    "reply": "reply_due",
}


class ComplaintQueueProjection(Projection):
    """Every complaint of every bureau, one row each, without reporter data."""

    name = "complaint_queue"
    categories = ("complaint",)
    tables: ClassVar[Mapping[str, str]] = {"complaint_queue": COLUMNS}
    indexes: ClassVar[Mapping[str, Sequence[str]]] = {
        "complaint_queue": [
            "(bureau_id, due_key, complaint_id)",
            "(bureau_id, received_at, complaint_id)",
            "(bureau_id, last_event_at, complaint_id)",
            # the unit dashboard's counts: an index-only scan per page of units
            "(bureau_id, unit_id, status) INCLUDE (current_due, outcome, "
            "concluded_on_time, received_at)",
            "(bureau_id, status, due_key)",
            "(bureau_id, investigator_id)",
            "(due_key, complaint_id)",  # district scope
            "(received_at, complaint_id)",
        ]
    }

    def apply(self, conn: Connection, tables: Tables, envelope: Envelope) -> None:
        data, kind = envelope.data, envelope.type
        complaint_id = envelope.stream.split("-", 1)[1]
        table = tables["complaint_queue"]
        if kind == "ComplaintReceived":
            conn.execute(
                sql.SQL(
                    "INSERT INTO {} (complaint_id, bureau_id, unit_id, channel, "
                    "category, status, anonymous, received_at, acceptance_due, "
                    "investigation_due, last_event_at, version) VALUES "
                    "(%s, %s, %s, %s, %s, 'received', %s, %s, %s, %s, %s, %s)"
                ).format(table),
                (complaint_id, data["bureau_id"], data["unit_id"], data["channel"],
                 data["category"], data["reporter_ref"] is None, data["at"],
                 data["acceptance_due"], data["investigation_due"],
                 envelope.recorded_at, envelope.version),
            )  # fmt: skip
            return
        if kind == "DeadlineExtended":
            column = STAGE_COLUMN[data["stage"]]
            assignments = f"{column} = %s, extended = true"
            values: tuple[Any, ...] = (data["new_due"],)
        else:
            assignments, fields = UPDATES.get(kind, ("", ()))
            values = tuple(data[f] for f in fields)
        set_clause = (assignments + ", " if assignments else "") + (
            "version = %s, last_event_at = %s"
        )
        conn.execute(
            sql.SQL("UPDATE {} SET " + set_clause + " WHERE complaint_id = %s").format(
                table
            ),
            (*values, envelope.version, envelope.recorded_at, complaint_id),
        )
