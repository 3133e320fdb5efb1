"""`python -m gateway.projector run | rebuild NAME`: the read-model projector process.

`run` keeps every projection up to date (several may run: they take turns per batch);
`rebuild NAME` builds one projection again from position zero beside the live tables
and swaps it in, while the live one keeps serving.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Sequence

from eventing import metrics
from eventing.config import Settings
from eventing.logs import configure_logging
from eventing.store import open_store
from gateway import gauges
from gateway.projections.assessment import AssessmentProjection
from gateway.projections.base import Projection
from gateway.projections.campaign_overview import CampaignOverviewProjection
from gateway.projections.complaint_queue import ComplaintQueueProjection
from gateway.projections.evaluation_results import EvaluationResultsProjection
from gateway.projections.ledger_board import LedgerBoardProjection
from gateway.projections.org_chart import OrgChartProjection
from gateway.projections.public_board import PublicBoardProjection
from gateway.projections.publicity_compliance import PublicityComplianceProjection
from gateway.projections.runner import Projector, rebuild


def projections() -> list[Projection]:
    return [
        OrgChartProjection(),
        LedgerBoardProjection(),
        ComplaintQueueProjection(),
        CampaignOverviewProjection(),
        EvaluationResultsProjection(),
        AssessmentProjection(),
        PublicityComplianceProjection(),
        PublicBoardProjection(),
    ]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m gateway.projector")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="keep every read model up to date")
    run.add_argument(
        "--batch-size", type=int, default=500, help="events per transaction"
    )
    again = commands.add_parser("rebuild", help="rebuild one read model, then swap")
    again.add_argument("name", choices=[p.name for p in projections()])
    args = parser.parse_args(argv)
    settings = Settings.from_env()
    configure_logging("projector", settings.log_level)
    store = open_store(settings.eventstore_uri, notify=False, pool_size=2)
    try:
        if args.command == "rebuild":
            [chosen] = [p for p in projections() if p.name == args.name]
            position = rebuild(store, settings.readmodel_database_url, chosen)
            print(f"rebuilt {chosen.name} up to position {position}")
            return 0
        metrics.serve(settings.projector_metrics_port)
        gauges.register(settings.readmodel_database_url)
        stop = threading.Event()
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: stop.set())
        Projector(
            store, settings.readmodel_database_url, projections(), args.batch_size
        ).run(stop)
        return 0
    finally:
        store.close()


if __name__ == "__main__":
    sys.exit(main())
