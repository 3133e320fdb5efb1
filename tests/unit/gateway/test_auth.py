"""Access tokens: signed, expiring, and a verified one remembered only until it
expires."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from gateway.api.auth import Principal, TokenSigner, load_secret
from gateway.api.errors import ApiError

WHO = Principal("office01", "b01", frozenset({"leading_group_office"}), "b01.001002")


class Clock:
    def __init__(self) -> None:
        self.now = time.time()  # PyJWT checks iat and exp on the real clock

    def __call__(self) -> float:
        return self.now


def test_a_token_verifies_to_its_principal_again_and_again() -> None:
    signer = TokenSigner(b"k" * 32, clock=Clock())
    token, issued = signer.issue(WHO)
    for _ in range(3):
        principal = signer.verify(token)
        assert (principal.username, principal.bureau_id, principal.roles) == (
            "office01",
            "b01",
            frozenset({"leading_group_office"}),
        )
        assert principal.token_id == issued.token_id


def test_a_remembered_token_still_expires() -> None:
    clock = Clock()
    signer = TokenSigner(b"k" * 32, access_ttl=60, clock=clock)
    token, _ = signer.issue(WHO)
    signer.verify(token)
    clock.now += 120
    with pytest.raises(ApiError) as refused:
        signer.verify(token)
    assert refused.value.details == {"reason": "token_expired"}


def test_another_key_s_token_is_refused() -> None:
    token, _ = TokenSigner(b"a" * 32).issue(WHO)
    with pytest.raises(ApiError) as refused:
        TokenSigner(b"b" * 32).verify(token)
    assert refused.value.details == {"reason": "token_invalid"}


def test_workers_starting_at_once_share_one_generated_secret(tmp_path: Path) -> None:
    """Without GATEWAY_TOKEN_SECRET each gateway worker loads the local secret file;
    started together they must all sign with the same, complete secret."""
    barrier = threading.Barrier(16)
    found: list[bytes] = []

    def worker() -> None:
        barrier.wait()
        found.append(load_secret({}, tmp_path))

    threads = [threading.Thread(target=worker) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(found) == 16 and len(set(found)) == 1
    assert len(found[0]) >= 48
    secret_dir = tmp_path / "var" / "secrets"
    assert [p.name for p in secret_dir.iterdir()] == ["gateway-token-secret"]
    given = "g" * 32
    assert load_secret({"GATEWAY_TOKEN_SECRET": given}, tmp_path) == given.encode()


def test_a_given_secret_shorter_than_32_bytes_is_refused_naming_it(
    tmp_path: Path,
) -> None:
    """PyJWT signs with any key; a short HS256 key falls to an offline guess."""
    with pytest.raises(ValueError, match=r"^GATEWAY_TOKEN_SECRET: .* 8 bytes .* 32"):
        load_secret({"GATEWAY_TOKEN_SECRET": "changeme"}, tmp_path)
    short = tmp_path / "secret"
    short.write_text("s" * 31 + "\n")  # the line's end is not part of it
    with pytest.raises(ValueError, match=rf"^GATEWAY_TOKEN_SECRET_FILE \({short}\)"):
        load_secret({"GATEWAY_TOKEN_SECRET_FILE": str(short)}, tmp_path)
    short.write_text("s" * 32 + "\n")
    assert load_secret({"GATEWAY_TOKEN_SECRET_FILE": str(short)}, tmp_path) == (
        b"s" * 32
    )
    assert not (tmp_path / "var").exists()  # no local secret made in their place
