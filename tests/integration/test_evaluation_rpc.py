"""The evaluation service for real: `nameko run` of evaluation and organization,
RabbitMQ RPC (also evaluation → organization for units, heads and the campaign),
PostgreSQL store and the service's own ballot-key table."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from contextlib import AbstractContextManager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
from nameko.standalone.rpc import ClusterRpcProxy

from eventing.migrate import apply
from services.common.errors import InvalidInput
from services.common.rpc import deserializable
from services.evaluation.domain import errors as evaluation_errors
from services.evaluation.domain.errors import (
    AlreadyVoted,
    NotInElectorate,
    RoundAlreadyClosed,
    VotingClosed,
)
from tests.support.nameko_run import with_organization
from tests.support.waiting import wait_until

pytestmark = [pytest.mark.integration, pytest.mark.timeout(180)]

deserializable(evaluation_errors)  # typed errors arrive as their classes on this side

MIGRATIONS = Path(__file__).parents[2] / "services" / "evaluation" / "migrations"
ADMIN = {"bureau_id": "b01", "actor": "account:admin01"}
OFFICE = {"bureau_id": "b01", "actor": "b01.001002"}
HEAD = "b01.002001"  # head (main leader) of b01.u002 in the sample chart


def as_voter(voter: str) -> dict[str, str]:
    return {"bureau_id": "b01", "actor": voter}


@pytest.fixture(scope="module")
def amqp_uri(module_amqp_uri: str) -> str:
    """A vhost of this module: the assessment's sources (ledger, complaints,
    publicity) have never run in it, so a call to them is refused at once. In the
    run's shared vhost their queues outlive earlier modules' services, and each call
    waited out its 10 s bound instead (the assessment tests took 10 and 20 s)."""
    return module_amqp_uri


def running(
    directory: Path, store_uri: str, amqp_uri: str
) -> AbstractContextManager[Any]:
    """Organization (with a small chart imported) and evaluation running; a proxy."""
    apply(store_uri, MIGRATIONS, table="evaluation_service")
    return with_organization("evaluation", directory, store_uri, amqp_uri)


@pytest.fixture(scope="class")
def cluster(
    tmp_path_factory: pytest.TempPathFactory,
    module_store_db: str,
    amqp_uri: str,
) -> Iterator[Any]:
    """The services shared by the round tests, started once (starting and stopping
    them is most of a test's time); each test opens its own round (random ids).
    Class-scoped, not module-scoped: they are stopped before the assessment tests
    start theirs in this module's vhost, where two organization or evaluation
    services would share one RPC queue over two stores."""
    with running(
        tmp_path_factory.mktemp("evaluation_rpc"), module_store_db, amqp_uri
    ) as proxy:
        yield proxy


@pytest.fixture
def own_cluster(tmp_path: Path, store_db: str, amqp_uri: str) -> Iterator[Any]:
    """Services of one test alone, on an empty store: an assessment lists every
    unit of the bureau's year (a closed round or another test's scores add units)
    and a publication expects version 1 of the bureau's yearly stream."""
    with running(tmp_path, store_db, amqp_uri) as proxy:
        yield proxy


def open_round(evaluation: Any, voters: list[str]) -> str:
    now = datetime.now(UTC)
    opened = evaluation.open_round(
        {
            "kind": "leadership",
            "title": "2026 年领导班子作风评议",
            "year": now.year,
            "opens_at": (now - timedelta(minutes=1)).isoformat(),
            "closes_at": (now + timedelta(hours=1)).isoformat(),
            "subjects": [{"kind": "team", "unit_id": "b01.u002"}],
            "electorate": [
                {"voter_id": v, "constituency": "service_recipient"} for v in voters
            ],
        },
        OFFICE,
    )
    assert opened["subjects"][0]["answerable_id"] == HEAD
    return str(opened["round_id"])


def ballot(round_id: str, option: str, comment: str = "") -> dict[str, Any]:
    return {
        "round_id": round_id,
        "choices": [{"subject_id": "b01.u002", "option": option, "comment": comment}],
    }


class TestARoundOverRpc:
    def test_a_round_is_voted_closed_and_its_main_leader_admonished(
        self, cluster, module_store_db
    ):
        evaluation = cluster.evaluation
        voters = [f"ext.{uuid.uuid4().hex[:8]}" for _ in range(6)]
        round_id = open_round(evaluation, voters)
        for voter, option in zip(
            voters, ["good", "good", "excellent", "fair", "poor", "poor"], strict=True
        ):
            assert evaluation.cast_vote(ballot(round_id, option), as_voter(voter))[
                "voted"
            ]
        with pytest.raises(AlreadyVoted) as twice:
            evaluation.cast_vote(ballot(round_id, "good"), as_voter(voters[0]))
        assert "one vote per voter" in twice.value.message("en")
        with pytest.raises(NotInElectorate):
            evaluation.cast_vote(ballot(round_id, "good"), as_voter("b01.002004"))
        with pytest.raises(InvalidInput):
            evaluation.cast_vote(ballot(round_id, "superb"), as_voter(voters[1]))
        seen = evaluation.get_participation({"round_id": round_id}, as_voter(voters[0]))
        assert (seen["returned"], seen["you_voted"]) == (6, True)

        result = evaluation.close_round({"round_id": round_id}, OFFICE)
        assert result["reconciliation"] == {
            "issued": 6, "returned": 6, "in_box": 6, "counted": 6, "discarded": 0,
            "valid": 6,
        }  # fmt: skip
        [team] = result["results"]
        assert team["counts"] == {"good": 2, "excellent": 1, "fair": 1, "poor": 2}
        assert team["rule"] == {"triggered": True, "reason": "exceeds", "share": "1/2"}
        [admonished] = result["admonishments"]
        assert admonished["person_id"] == HEAD
        talk = evaluation.get_talk({"talk_id": admonished["talk_id"]}, OFFICE)
        assert (talk["kind"], talk["state"]) == ("admonishment", "pending")
        with pytest.raises(RoundAlreadyClosed):
            evaluation.close_round({"round_id": round_id}, OFFICE)

        with psycopg.connect(module_store_db, autocommit=True) as conn:
            key, destroyed = conn.execute(
                "SELECT key, destroyed_at FROM ballot_keys WHERE round_id = %s",
                (round_id,),
            ).fetchone()
            actors = {
                row[0]
                for row in conn.execute(
                    "SELECT actor FROM eventing.events WHERE stream LIKE %s",
                    (f"ballot_box-{round_id}.%",),
                )
            }
        assert key is None and destroyed is not None
        assert actors == {"anonymous"}

    def test_votes_racing_the_close_are_each_counted_or_refused(
        self, cluster, amqp_uri
    ):
        evaluation = cluster.evaluation
        voters = [f"ext.{uuid.uuid4().hex[:8]}" for _ in range(30)]
        round_id = open_round(evaluation, voters)
        outcomes: dict[str, str] = {}
        start = threading.Barrier(4)

        def vote_all(mine: list[str]) -> None:
            with ClusterRpcProxy({"AMQP_URI": amqp_uri}, timeout=60) as own:
                start.wait()
                for voter in mine:
                    try:
                        own.evaluation.cast_vote(
                            ballot(round_id, "poor"), as_voter(voter)
                        )
                        outcomes[voter] = "counted"
                    except VotingClosed:
                        outcomes[voter] = "refused"

        threads = [
            threading.Thread(target=vote_all, args=(voters[n::3],)) for n in range(3)
        ]
        for thread in threads:
            thread.start()
        start.wait()
        closed = evaluation.close_round({"round_id": round_id}, OFFICE)
        for thread in threads:
            thread.join()
        counted = sum(1 for o in outcomes.values() if o == "counted")
        assert len(outcomes) == 30
        assert closed["reconciliation"]["returned"] == counted
        assert closed["reconciliation"]["counted"] == counted
        assert json.dumps(closed).count("ext.") == 0  # no voter in the results


def scored_test(
    evaluation: Any, unit_id: str, person_id: str, score: int, held_on: str
) -> None:
    """A closed-book test of `unit_id` held on `held_on`, one person scored."""
    test = evaluation.hold_study_test(
        {"unit_id": unit_id, "year": int(held_on[:4]), "title": "闭卷测试",
         "held_on": held_on},
        OFFICE,
    )  # fmt: skip
    evaluation.record_test_scores(
        {"test_id": test["test_id"],
         "scores": [{"person_id": person_id, "score": score}]},
        OFFICE,
    )  # fmt: skip


class TestTheAssessmentOverRpc:
    def test_sources_not_running_are_missing_inputs_not_failures(self, own_cluster):
        evaluation = own_cluster.evaluation
        year = datetime.now(UTC).year
        scored_test(evaluation, "b01.u002", "b01.002004", 90, f"{year}-02-24")
        # Neither ledger, complaints nor publicity runs here. The bureau's tests are
        # listed from the global log, which followers see a moment later.
        answer = wait_until(
            lambda: (
                (a := evaluation.assess_units({"year": year}, OFFICE))["units"] and a
            ),
            timeout=30,
            interval=0.2,
            describe=lambda: "the unit's test in the assessment",
        )
        [unit] = answer["units"]
        assert unit["unit_id"] == "b01.u002"
        assert unit["score"] == "90"
        assert unit["incomplete"] is True
        assert {"ledger", "complaints", "publicity"} <= set(unit["missing"])
        assert "weight redistributed" in answer["missing_inputs_rule"]

    def test_a_published_assessment_is_recorded_on_its_stream(
        self, own_cluster, store_db
    ):
        evaluation = own_cluster.evaluation
        year = datetime.now(UTC).year
        scored_test(evaluation, "b01.u003", "b01.003004", 80, f"{year}-01-01")
        wait_until(
            lambda: evaluation.assess_units({"year": year}, OFFICE)["units"],
            timeout=30,
            interval=0.2,
            describe=lambda: "the unit's test in the assessment",
        )
        with pytest.raises(InvalidInput):
            evaluation.publish_assessment(
                {"year": year, "as_of": (datetime.now(UTC) + timedelta(days=1))
                 .isoformat()},
                OFFICE,
            )  # fmt: skip
        answer = evaluation.publish_assessment({"year": year, "note": "定格"}, OFFICE)
        assert answer["version"] == 1
        assert [u["unit_id"] for u in answer["units"]] == ["b01.u003"]

        with psycopg.connect(store_db, autocommit=True) as conn:
            rows = conn.execute(
                "SELECT type, version, actor, data FROM eventing.events"
                " WHERE stream = %s ORDER BY version",
                (f"assessment-b01.{year}",),
            ).fetchall()
        [(kind, version, actor, data)] = rows
        assert (kind, version, actor) == ("AssessmentPublished", 1, OFFICE["actor"])
        assert data == {
            "bureau_id": "b01",
            "year": year,
            "as_of": answer["as_of"],
            "published_at": answer["published_at"],
            "published_by": OFFICE["actor"],
            "note": "定格",
            "formula": answer["formula"],
            "weights": answer["weights"],
            "units": answer["units"],
        }
