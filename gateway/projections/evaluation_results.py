"""Evaluation rounds and their published results (from the evaluation service).

Only what the service published: a round's definition (never its electorate) and,
after the tally, each subject's result as `RoundTallied` carries it (counts are empty
and figures None for a subject withheld below the minimum of ballots). Ballots,
participation and comments are never read: the projection follows the
`evaluation_round` category alone.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from psycopg import sql
from psycopg.types.json import Jsonb

from eventing.events import Envelope
from gateway.projections.base import Connection, Projection, Tables

ROUNDS = (
    "round_id text PRIMARY KEY, bureau_id text NOT NULL, year integer NOT NULL, "
    "kind text NOT NULL, title text NOT NULL, opens_at timestamptz NOT NULL, "
    "closes_at timestamptz NOT NULL, status text NOT NULL, "
    "subjects integer NOT NULL, issued integer, returned integer, "
    "counted integer, valid integer, void boolean, void_reason text, "
    "tallied_on date, admonishments integer NOT NULL DEFAULT 0, "
    "last_event_at timestamptz NOT NULL, version integer NOT NULL"
)
RESULTS = (
    "result_id text PRIMARY KEY, round_id text NOT NULL, subject_id text NOT NULL, "
    "bureau_id text NOT NULL, year integer NOT NULL, round_kind text NOT NULL, "
    "subject_kind text NOT NULL, unit_id text, person_id text, "
    "valid integer NOT NULL, published boolean NOT NULL, withheld_reason text, "
    "counts jsonb NOT NULL, weighted jsonb NOT NULL, weighted_valid text, "
    "rule_triggered boolean NOT NULL, rule_reason text, share text, "
    "mean_score text, grade text, rank integer, "
    "admonishment_talk_id text, admonishment_due_on date, "
    "lowest_rated boolean NOT NULL DEFAULT false, tallied_on date NOT NULL, "
    "version integer NOT NULL"
)


class EvaluationResultsProjection(Projection):
    """Rounds (open, closed, tallied) and each tallied subject's published result."""

    name = "evaluation_results"
    categories = ("evaluation_round",)
    tables: ClassVar[Mapping[str, str]] = {
        "evaluation_rounds": ROUNDS,
        "evaluation_results": RESULTS,
    }
    indexes: ClassVar[Mapping[str, Sequence[str]]] = {
        "evaluation_rounds": ["(bureau_id, opens_at, round_id)", "(status)"],
        "evaluation_results": [
            "(bureau_id, year, result_id)",
            "(bureau_id, unit_id)",
            "(round_id, subject_id)",
        ],
    }

    def apply(self, conn: Connection, tables: Tables, envelope: Envelope) -> None:
        data, kind = envelope.data, envelope.type
        rounds, results = tables["evaluation_rounds"], tables["evaluation_results"]
        round_id = envelope.stream.split("-", 1)[1]
        if kind == "RoundOpened":
            conn.execute(
                sql.SQL(
                    "INSERT INTO {} (round_id, bureau_id, year, kind, title, opens_at, "
                    "closes_at, status, subjects, last_event_at, version) VALUES "
                    "(%s, %s, %s, %s, %s, %s, %s, 'open', %s, %s, %s)"
                ).format(rounds),
                (round_id, data["bureau_id"], data["year"], data["kind"],
                 data["title"], data["opens_at"], data["closes_at"],
                 len(data["subjects"]), envelope.recorded_at, envelope.version),
            )  # fmt: skip
            return
        self._touch(conn, rounds, round_id, envelope)
        if kind == "RoundClosed":
            conn.execute(
                sql.SQL("UPDATE {} SET status = 'closed' WHERE round_id = %s").format(
                    rounds
                ),
                (round_id,),
            )
        elif kind == "RoundTallied":
            self._tallied(conn, rounds, results, round_id, envelope)
        elif kind == "AdmonishmentTalkRequired":
            self._update_result(
                conn,
                results,
                round_id,
                data["subject_id"],
                "admonishment_talk_id = %s, admonishment_due_on = %s",
                (data["talk_id"], data["due_on"]),
                envelope,
            )
            conn.execute(
                sql.SQL(
                    "UPDATE {} SET admonishments = admonishments + 1 "
                    "WHERE round_id = %s"
                ).format(rounds),
                (round_id,),
            )
        elif kind == "LowestRatedStaffFlagged":
            self._update_result(conn, results, round_id, data["subject_id"],
                                "lowest_rated = true", (), envelope)  # fmt: skip

    @staticmethod
    def _touch(
        conn: Connection, rounds: sql.Composed, round_id: str, envelope: Envelope
    ) -> None:
        conn.execute(
            sql.SQL(
                "UPDATE {} SET version = %s, last_event_at = %s WHERE round_id = %s"
            ).format(rounds),
            (envelope.version, envelope.recorded_at, round_id),
        )

    @staticmethod
    def _tallied(
        conn: Connection,
        rounds: sql.Composed,
        results: sql.Composed,
        round_id: str,
        envelope: Envelope,
    ) -> None:
        data = envelope.data
        row = conn.execute(
            sql.SQL(
                "UPDATE {} SET status = 'tallied', issued = %s, returned = %s, "
                "counted = %s, valid = %s, void = %s, void_reason = %s, "
                "tallied_on = %s WHERE round_id = %s RETURNING year, kind"
            ).format(rounds),
            (data["issued"], data["returned"], data["counted"], data["valid"],
             data["void"], data["void_reason"], data["on"], round_id),
        ).fetchone()  # fmt: skip
        year, round_kind = row if row else (0, "")
        for s in data["subjects"]:
            rule: dict[str, Any] = s.get("rule") or {}
            conn.execute(
                sql.SQL(
                    "INSERT INTO {} (result_id, round_id, subject_id, bureau_id, "
                    "year, round_kind, subject_kind, unit_id, person_id, valid, "
                    "published, withheld_reason, counts, weighted, weighted_valid, "
                    "rule_triggered, rule_reason, share, mean_score, grade, rank, "
                    "tallied_on, version) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, "
                    "%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s) "
                    "ON CONFLICT (result_id) DO NOTHING"
                ).format(results),
                (f"{round_id}/{s['subject_id']}", round_id, s["subject_id"],
                 data["bureau_id"], year, round_kind, s["kind"], s.get("unit_id"),
                 s.get("person_id"), s.get("valid", 0), bool(s.get("published")),
                 s.get("withheld_reason") or None, Jsonb(s.get("counts") or {}),
                 Jsonb(s.get("weighted") or {}), s.get("weighted_valid"),
                 bool(rule.get("triggered")), rule.get("reason"), rule.get("share"),
                 s.get("mean_score"), s.get("grade"), s.get("rank"), data["on"],
                 envelope.version),
            )  # fmt: skip

    @staticmethod
    def _update_result(
        conn: Connection,
        results: sql.Composed,
        round_id: str,
        subject_id: str,
        assignments: str,
        values: tuple[Any, ...],
        envelope: Envelope,
    ) -> None:
        conn.execute(
            sql.SQL(
                "UPDATE {} SET " + assignments + ", version = %s WHERE result_id = %s"
            ).format(results),
            (*values, envelope.version, f"{round_id}/{subject_id}"),
        )
