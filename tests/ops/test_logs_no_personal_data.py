"""No personal data of a reporter ever reaches the logs, at any log level."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from nameko.standalone.rpc import ClusterRpcProxy

from eventing.migrate import apply
from services.organization.samples import sample_rows, write_rows
from tests.support.nameko_run import NamekoServices
from tests.support.processes import Processes

pytestmark = pytest.mark.integration

MIGRATIONS = Path(__file__).parents[2] / "services" / "complaints" / "migrations"
STAFF = {"bureau_id": "b01", "actor": "b01.p-operator"}
NAME = "欧阳晓燕"
PHONE = "13912345678"
REPORT = {
    "unit_id": "b01.u003",
    "channel": "hotline",
    "category": "slow",
    "description": "窗口办事拖拉，材料齐全仍让跑三趟",
    "reporter_name": NAME,
    "reporter_contact": PHONE,
}


EVENTLET_WARNING = """\
Eventlet is deprecated. It is currently being maintained in bugfix mode, and
we strongly recommend against using it for new projects.
"""


def json_logging(level: str) -> dict[str, Any]:
    """deploy/nameko.yaml's LOGGING, at `level`."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "json": {"()": "eventing.logs.JsonFormatter", "service": "nameko"}
        },
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stderr",
                "formatter": "json",
            }
        },
        "root": {"level": level, "handlers": ["stderr"]},
    }


@pytest.mark.parametrize("level", ["INFO", "DEBUG"])
def test_an_intake_logs_neither_the_reporters_name_nor_phone(
    level: str,
    processes: Processes,
    tmp_path: Path,
    store_db: str,
    amqp_uri: str,
) -> None:
    import base64

    apply(store_db, MIGRATIONS, table="complaints_service")
    services = NamekoServices(processes, tmp_path, store_db, amqp_uri)
    config = json.loads(services.config.read_text())  # JSON is YAML
    services.config.write_text(
        json.dumps(
            {
                **config,
                "BLOB_DIR": str(tmp_path),
                "METRICS_PORT": 0,  # two services, one config: no shared port
                "LOGGING": json_logging(level),
            }
        )
    )
    started = services.start_all(
        ("services.organization.service", "rpc-organization"),
        ("services.complaints.service", "rpc-complaints"),
    )
    rows = sample_rows(bureaus=1, units=3, people_per_unit=2, seed=5)
    workbook = {"workbook": base64.b64encode(write_rows(rows)).decode()}
    with ClusterRpcProxy({"AMQP_URI": amqp_uri}, timeout=60) as rpc:
        rpc.organization.import_org_chart(workbook, STAFF)
        answer = rpc.complaints.receive_complaint(REPORT, STAFF)
        cid = answer["complaint"]["complaint_id"]
        rpc.complaints.accept_complaint({"complaint_id": cid}, STAFF)
        rpc.complaints.follow_complaint({"receipt_code": answer["receipt_code"]}, STAFF)
    for process in started:
        process.terminate()

    lines = [line for p in started for line in p.log().splitlines() if line.strip()]
    assert lines, "the services logged nothing"
    entries = [json.loads(line) for line in lines if line.startswith("{")]
    # eventlet's deprecation warning is printed on import, before logging is set up
    # (7 lines per process); every other line is JSON
    plain = [line for line in lines if not line.startswith("{")]
    assert len(plain) <= 7 * len(started), plain
    assert all(EVENTLET_WARNING in "\n".join(plain) for _ in plain), plain
    assert {"time", "level", "service", "message"} <= set(entries[0])
    services_named = {entry["service"] for entry in entries}
    assert {"organization", "complaints"} <= services_named
    text = "\n".join(lines)
    assert NAME not in text
    assert PHONE not in text
    assert PHONE[-4:] + "\n" not in text and "1391234" not in text
