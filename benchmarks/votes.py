"""Issue 7's row: an evaluation round of `vote_voters` voters casting in parallel
through the gateway (HTTP → gateway → RPC → evaluation), every ballot counted once.

Ours: votes per second over the whole casting (each voter signed in with their own
access token, `vote_clients` keep-alive connections in parallel), then the round is
closed and its reconciliation must show every ballot counted exactly once (otherwise
the row is an ERROR). Baseline: `GET /api/v1/auth/me` through the same gateway, same
tokens and clients: the gateway's own cost per request, without the vote.
The absolute target: the 5,000 votes are in within 120 s.
"""

from __future__ import annotations

import threading
import time
import uuid
from time import perf_counter
from typing import Any

import jwt

from benchmarks.gateway import Client, System
from benchmarks.measure import Comparison
from benchmarks.settings import Sizes

SUBJECT = "b01.u002"


def token(secret: str, person: str) -> str:
    now = int(time.time())
    claims = {
        "iss": "rectification-gateway",
        "sub": f"voter-{person}",
        "bureau": "b01",
        "roles": ["staff"],
        "person": person,
        "kind": "person",
        "jti": uuid.uuid4().hex,
        "iat": now,
        "exp": now + 3600,
    }
    return jwt.encode(claims, secret, algorithm="HS256")


class VotesBench:
    def __init__(self, system: System, sizes: Sizes) -> None:
        self.system = system
        self.sizes = sizes

    def compare(self) -> Comparison:
        sizes = self.sizes
        secret = self.system.env["GATEWAY_TOKEN_SECRET"]
        voters = [f"b01.v{n:05d}" for n in range(sizes.vote_voters)]
        tokens = {voter: token(secret, voter) for voter in voters}
        office = Client(self.system.base, token(secret, "b01.001002"))
        office.token = jwt.encode(
            {
                **jwt.decode(office.token or "", options={"verify_signature": False}),
                "roles": ["leading_group_office", "staff"],
            },
            secret,
            algorithm="HS256",
        )
        status, opened = office.call(
            "POST",
            "/api/v1/evaluation/rounds",
            {
                "kind": "units",
                "title": "2026 年部门单位评议（压力测试）",
                "year": 2026,
                "opens_at": "2026-01-01T00:00:00+08:00",
                "closes_at": "2030-01-01T00:00:00+08:00",
                "subjects": [{"kind": "unit", "unit_id": SUBJECT}],
                "electorate": [
                    {"voter_id": v, "constituency": "service_recipient"} for v in voters
                ],
            },
        )
        if status != 201:
            raise RuntimeError(f"opening the round failed: {status} {opened}")
        round_id = opened["round_id"]
        options = ["excellent", "good", "good", "fair", "poor"]
        cast_seconds = self._in_parallel(
            voters,
            lambda client, voter, n: client.call(
                "POST",
                f"/api/v1/evaluation/rounds/{round_id}/ballots",
                {"choices": [{"subject_id": SUBJECT, "option": options[n % 5]}]},
            ),
            tokens,
            expect=201,
        )
        me_seconds = self._in_parallel(
            voters,
            lambda client, voter, n: client.call("GET", "/api/v1/auth/me"),
            tokens,
            expect=200,
        )
        status, closed = office.call(
            "POST", f"/api/v1/evaluation/rounds/{round_id}/close", {}
        )
        if status != 200:
            raise RuntimeError(f"closing the round failed: {status} {closed}")
        counts = closed["reconciliation"]
        if (counts["counted"], counts["valid"]) != (len(voters), len(voters)):
            raise RuntimeError(f"not every ballot counted exactly once: {counts}")
        result = Comparison(
            ours=[len(voters) / cast_seconds], baseline=[len(voters) / me_seconds]
        )
        result.elapsed = cast_seconds
        result.notes.append(
            f"{len(voters):,} voters, {sizes.vote_clients} clients: cast in "
            f"{cast_seconds:.1f} s; reconciliation at close {counts}"
        )
        return result

    def _in_parallel(
        self,
        voters: list[str],
        call: Any,
        tokens: dict[str, str],
        expect: int,
    ) -> float:
        clients = self.sizes.vote_clients
        errors: list[str] = []
        shares = [voters[i::clients] for i in range(clients)]
        barrier = threading.Barrier(clients + 1)

        def work(share: list[str], offset: int) -> None:
            client = Client(self.system.base)
            barrier.wait()
            for n, voter in enumerate(share):
                client.token = tokens[voter]
                status, body = call(client, voter, offset + n * clients)
                if status != expect:
                    errors.append(f"{voter}: {status} {str(body)[:200]}")
            client.close()

        threads = [
            threading.Thread(target=work, args=(share, i), daemon=True)
            for i, share in enumerate(shares)
        ]
        for thread in threads:
            thread.start()
        started = perf_counter()
        barrier.wait()
        for thread in threads:
            thread.join()
        elapsed = perf_counter() - started
        if errors:
            raise RuntimeError(f"{len(errors)} requests failed, e.g. {errors[:3]}")
        return elapsed
