"""First start of a bureau: import its org chart and open its first administrator.

    python -m services.organization.bootstrap --bureau b01 --workbook chart.xlsx \\
        --admin admin --person b01.001001
    python -m services.organization.bootstrap --bureau b01 --sample --admin admin \\
        --person b01.001001            # a demo chart (organization.samples)

Talks to the running organization service over RabbitMQ (AMQP_URI), as any client
would; the password comes from BOOTSTRAP_PASSWORD or is asked for on the terminal
(never a command-line argument: it would sit in the shell history). Re-running is
safe: an import that changes nothing writes nothing, an existing account is kept.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import getpass
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from nameko.exceptions import RemoteError, RpcTimeout, UnknownService
from nameko.standalone.rpc import ClusterRpcProxy

from eventing.config import Settings, seconds_setting
from services.common.errors import DomainError
from services.common.rpc import deserializable
from services.organization.domain import errors as org_errors
from services.organization.samples import sample_rows, write_rows

deserializable(org_errors)

PROBE_SECONDS = 15.0  # BOOTSTRAP_PROBE_SECONDS overrides


def _probe_seconds() -> float:
    try:
        return seconds_setting(
            "BOOTSTRAP_PROBE_SECONDS",
            os.environ.get("BOOTSTRAP_PROBE_SECONDS"),
            PROBE_SECONDS,
            600.0,
            zero_allowed=False,
        )
    except ValueError as error:
        raise SystemExit(str(error)) from None


def _password() -> str:
    given = os.environ.get("BOOTSTRAP_PASSWORD")
    if given:
        return given
    if not sys.stdin.isatty():
        raise SystemExit("set BOOTSTRAP_PASSWORD (no terminal to ask on)")
    first = getpass.getpass("管理员密码 / administrator password: ")
    if first != getpass.getpass("再输一次 / again: "):
        raise SystemExit("the two passwords differ")
    return first


def _workbook(args: argparse.Namespace) -> bytes:
    if args.sample:
        rows = sample_rows(bureaus=1, units=args.units, people_per_unit=8, seed=1)
        own = {
            sheet: [
                (n, {**row, "bureau_code": args.bureau})
                for n, row in sheet_rows
                if row.get("bureau_code") == "b01"
            ]
            for sheet, sheet_rows in rows.items()
        }
        return write_rows(own)
    return Path(args.workbook).read_bytes()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m services.organization.bootstrap")
    parser.add_argument("--bureau", required=True, help="bureau code, e.g. b01")
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--workbook", help="the org chart (.xlsx, the template's form)")
    source.add_argument("--sample", action="store_true", help="a demo org chart")
    parser.add_argument("--units", type=int, default=6, help="units of the sample")
    parser.add_argument("--admin", required=True, help="the administrator's username")
    parser.add_argument("--person", required=True, help="their person id, b01.001001")
    args = parser.parse_args(argv)
    probe_seconds = _probe_seconds()
    password = _password()
    amqp = Settings.from_env().amqp_uri
    context = {"bureau_id": args.bureau, "actor": "account:bootstrap"}
    try:
        # any answer, a refusal included, says it runs
        with (
            ClusterRpcProxy({"AMQP_URI": amqp}, timeout=probe_seconds) as probe,
            contextlib.suppress(DomainError, RemoteError),
        ):
            probe.organization.phase_today({}, context)
    except (UnknownService, RpcTimeout):
        print(
            "the organization service is not running or not answering (make start)",
            file=sys.stderr,
        )
        return 2
    try:
        with ClusterRpcProxy({"AMQP_URI": amqp}, timeout=120) as rpc:
            imported: dict[str, Any] = rpc.organization.import_org_chart(
                {"workbook": base64.b64encode(_workbook(args)).decode()}, context
            )
            print(f"org chart: {imported.get('events', 0)} events written")
            try:
                rpc.organization.open_account(
                    {
                        "username": args.admin,
                        "kind": "person",
                        "person_id": args.person,
                        "password": password,
                        "roles": ["bureau_admin"],
                    },
                    context,
                )
                print(f"account {args.admin}: opened with bureau_admin")
            except org_errors.AlreadyExists:
                print(f"account {args.admin}: exists, kept as it is")
    except (UnknownService, RpcTimeout):
        print("the organization service stopped answering", file=sys.stderr)
        return 2
    except (DomainError, RemoteError) as error:
        print(f"refused: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
