"""ComplaintsService: Nameko RPC entrypoints over the complaints handlers.

Every entrypoint takes `payload` (the command's fields) and `context` (who calls, for
which bureau, with which roles: {"bureau_id": "zjj", "actor": "zjj.1001",
"roles": ["leading_group_office"], "correlation_id": "..."}) and answers a JSON-safe
dict, or raises a typed DomainError that crosses RPC intact. Units and the campaign
settings deadlines follow come from the `organization` service (RpcProxy, through
`directory.RpcOrgDirectory`); a payload cannot set them. A timer runs the warning
ladder (`COMPLAINTS_LADDER_INTERVAL` seconds, default 3600); receipt-code lookups are
rate limited per caller (`COMPLAINTS_LOOKUPS_PER_MINUTE`, default 10).
"""

from __future__ import annotations

import os
from typing import Any

from nameko.extensions import DependencyProvider
from nameko.timer import Timer

from eventing.config import Settings
from eventing.nameko import (
    ClockProvider,
    CommandMetrics,
    EventStoreProvider,
    keys_database_url,
)
from services.common.context import command_context
from services.common.errors import InvalidInput
from services.common.rpc import BoundedRpcProxy, deserializable, rpc, translated
from services.complaints import commands as c
from services.complaints.blobs import BlobStore, FileBlobStore
from services.complaints.directory import RpcOrgDirectory
from services.complaints.domain import errors as complaint_errors
from services.complaints.handlers import ComplaintHandlers
from services.complaints.protection import commands as p
from services.complaints.protection import errors as protection_errors
from services.complaints.protection.keys import KeyStore, PostgresKeyStore
from services.complaints.protection.ratelimit import RateLimiter, caller_key

LADDER_INTERVAL = "COMPLAINTS_LADDER_INTERVAL"  # seconds, default 3600
LOOKUPS_PER_MINUTE = "COMPLAINTS_LOOKUPS_PER_MINUTE"  # default 10

EXPECTED = deserializable(complaint_errors, protection_errors)

Payload = dict[str, Any] | None
Context = dict[str, Any] | None
Answer = dict[str, Any]


class KeyStoreProvider(DependencyProvider):  # type: ignore[misc]
    """Reporters' keys in the service's own table (KEYS_DATABASE_URL: by default the
    event store's database, the read model's with EventStoreDB)."""

    def setup(self) -> None:
        self.keys = PostgresKeyStore(keys_database_url(self.container.config))

    def get_dependency(self, worker_ctx: Any) -> KeyStore:
        return self.keys


class BlobStoreProvider(DependencyProvider):  # type: ignore[misc]
    """Attachments' bytes in a directory: `BLOB_DIR` (service config, then the
    environment; default var/blobs)."""

    def setup(self) -> None:
        config = self.container.config
        root = (
            config.get("BLOB_DIR")
            or os.environ.get("BLOB_DIR")
            or Settings.from_env().blob_dir
        )
        self.blobs = FileBlobStore(str(root))

    def get_dependency(self, worker_ctx: Any) -> BlobStore:
        return self.blobs


def _config(container: Any, key: str, default: float) -> float:
    raw = container.config.get(key) or os.environ.get(key)
    return float(raw) if raw else default


class ConfigTimer(Timer):  # type: ignore[misc]
    """nameko's Timer whose interval the service config (or environment) may set."""

    interval: float

    def __init__(self, interval: float, config_key: str, **kwargs: Any) -> None:
        self.config_key = config_key
        super().__init__(interval, **kwargs)

    def setup(self) -> None:
        self.interval = _config(self.container, self.config_key, self.interval)
        super().setup()


config_timer = ConfigTimer.decorator


class LookupLimiter(DependencyProvider):  # type: ignore[misc]
    """One receipt-code lookup limiter per service process."""

    def setup(self) -> None:
        limit = int(_config(self.container, LOOKUPS_PER_MINUTE, 10))
        self.limiter = RateLimiter(limit=limit, window=60.0)

    def get_dependency(self, worker_ctx: Any) -> RateLimiter:
        return self.limiter


def _no_settings(payload: Payload) -> Payload:
    """Deadlines follow the bureau's campaign (organization), never the caller."""
    if "settings" in (payload or {}):
        raise InvalidInput(fields={"settings": "not_allowed"})
    return payload


def _roles(context: Context) -> frozenset[str]:
    raw = (context or {}).get("roles") or []
    if not isinstance(raw, list):
        raise InvalidInput(fields={"context.roles": "bad_format"})
    return frozenset(str(role) for role in raw)


class ComplaintsService:
    """The supervision and complaint hotline: 有举必查, 有查必果."""

    name = "complaints"

    store = EventStoreProvider()
    clock = ClockProvider()
    keys = KeyStoreProvider()
    metrics = CommandMetrics()
    organization = BoundedRpcProxy("organization")
    lookups = LookupLimiter()
    blobs = BlobStoreProvider()

    @property
    def handlers(self) -> ComplaintHandlers:
        return ComplaintHandlers(
            self.store,
            self.clock,
            self.keys,
            RpcOrgDirectory(self.organization),
            limiter=self.lookups,
            blobs=self.blobs,
        )

    # -- intake and the lifecycle -------------------------------------------------

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def receive_complaint(
        self, payload: Payload = None, context: Context = None
    ) -> Answer:
        """Log a report; the answer holds the receipt code, shown once.
        {"unit_id": "zjj.u003", "channel": "hotline", "category": "slow",
        "description": "窗口办事拖拉", "attachments": [], "reporter_name": "张三",
        "reporter_contact": "138..."}"""
        return self.handlers.receive(
            c.ReceiveComplaint.parse(_no_settings(payload) or {}),
            command_context(context),
        )

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def accept_complaint(
        self, payload: Payload = None, context: Context = None
    ) -> Answer:
        """Accept a report for handling. {"complaint_id": "3f2a...", "reason": ""}"""
        return self.handlers.accept(
            c.AcceptComplaint.parse(payload or {}), command_context(context)
        )

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def reject_complaint(
        self, payload: Payload = None, context: Context = None
    ) -> Answer:
        """Reject a report, with a reason. {"complaint_id": "3f2a...",
        "reason": "不属于受理范围"}"""
        return self.handlers.reject(
            c.RejectComplaint.parse(payload or {}), command_context(context)
        )

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def assign_investigator(
        self, payload: Payload = None, context: Context = None
    ) -> Answer:
        """Assign an investigator. {"complaint_id": "3f2a...",
        "investigator_id": "zjj.1001", "reason": ""}"""
        return self.handlers.assign(
            c.AssignInvestigator.parse(payload or {}), command_context(context)
        )

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def start_investigation(
        self, payload: Payload = None, context: Context = None
    ) -> Answer:
        """The assigned investigator starts. {"complaint_id": "3f2a..."}"""
        return self.handlers.start(
            c.StartInvestigation.parse(payload or {}), command_context(context)
        )

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def conclude_investigation(
        self, payload: Payload = None, context: Context = None
    ) -> Answer:
        """有查必果: an outcome with findings. {"complaint_id": "3f2a...",
        "outcome": "substantiated", "findings": "..."}"""
        return self.handlers.conclude(
            c.ConcludeInvestigation.parse(_no_settings(payload) or {}),
            command_context(context),
        )

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def decide_accountability(
        self, payload: Payload = None, context: Context = None
    ) -> Answer:
        """严肃问责 on a substantiated case. {"complaint_id": "3f2a...",
        "kind": "written_self_criticism", "person_ids": ["zjj.1007"], "reason": ""}"""
        return self.handlers.decide_accountability(
            c.DecideAccountability.parse(payload or {}), command_context(context)
        )

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def reply_to_reporter(
        self, payload: Payload = None, context: Context = None
    ) -> Answer:
        """Answer the reporter. {"complaint_id": "3f2a...", "reply": "..."}"""
        return self.handlers.reply(
            c.ReplyToReporter.parse(payload or {}), command_context(context)
        )

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def record_satisfaction(
        self, payload: Payload = None, context: Context = None
    ) -> Answer:
        """The reporter's verdict; dissatisfied reopens (重办). {"complaint_id":
        "3f2a...", "satisfaction": "satisfied", "reason": ""}"""
        return self.handlers.record_satisfaction(
            c.RecordSatisfaction.parse(_no_settings(payload) or {}),
            command_context(context),
        )

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def close_complaint(
        self, payload: Payload = None, context: Context = None
    ) -> Answer:
        """Close, saying whether it was resolved. {"complaint_id": "3f2a...",
        "resolved": true, "reason": "已整改到位"}"""
        return self.handlers.close(
            c.CloseComplaint.parse(payload or {}), command_context(context)
        )

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def appeal_complaint(
        self, payload: Payload = None, context: Context = None
    ) -> Answer:
        """An appeal reopens the case. {"complaint_id": "3f2a...", "reason": "..."}"""
        return self.handlers.appeal(
            c.AppealComplaint.parse(_no_settings(payload) or {}),
            command_context(context),
        )

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def send_back_complaint(
        self, payload: Payload = None, context: Context = None
    ) -> Answer:
        """退单: back to be assigned again; the clock runs on. {"complaint_id":
        "3f2a...", "reason": "非本单位职责", "approver": "zjj.1002"}"""
        return self.handlers.send_back(
            c.SendBackComplaint.parse(payload or {}), command_context(context)
        )

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def transfer_complaint(
        self, payload: Payload = None, context: Context = None
    ) -> Answer:
        """转办 to another unit; the clock runs on. {"complaint_id": "3f2a...",
        "to_unit_id": "zjj.u004", "reason": "...", "approver": "zjj.1002"}"""
        return self.handlers.transfer(
            c.TransferComplaint.parse(payload or {}), command_context(context)
        )

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def extend_deadline(
        self, payload: Payload = None, context: Context = None
    ) -> Answer:
        """Extend the running deadline, once. {"complaint_id": "3f2a...",
        "working_days": 5, "reason": "...", "approver": "zjj.1002"}"""
        return self.handlers.extend_deadline(
            c.ExtendDeadline.parse(_no_settings(payload) or {}),
            command_context(context),
        )

    # -- attachments ----------------------------------------------------------------

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def upload_attachment(
        self, payload: Payload = None, context: Context = None
    ) -> Answer:
        """Store a file (at most 20 MiB; once, by sha256) before the report that
        carries it; the answer is the metadata to put in `attachments`.
        {"name": "现场.jpg", "content_type": "image/jpeg", "content": "<base64>"}"""
        return self.handlers.upload_attachment(
            c.UploadAttachment.parse(payload or {}), command_context(context)
        )

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def download_attachment(
        self, payload: Payload = None, context: Context = None
    ) -> Answer:
        """A file of a complaint, for the staff of its bureau (base64 `content`).
        {"complaint_id": "3f2a...", "sha256": "9f86d0..."}"""
        return self.handlers.download_attachment(
            c.DownloadAttachment.parse(payload or {}), command_context(context)
        )

    # -- the calendar -------------------------------------------------------------

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def load_work_schedule(
        self, payload: Payload = None, context: Context = None
    ) -> Answer:
        """Load a year's State Council schedule and recompute the bureau's open
        deadlines. {"schedule": {"year": 2027, "holidays": ["2027-01-01"],
        "workdays": ["2027-02-06"]}}"""
        schedule = (_no_settings(payload) or {}).get("schedule")
        if not isinstance(schedule, dict):
            raise InvalidInput(fields={"schedule": "required"})
        return self.handlers.load_work_schedule(schedule, command_context(context))

    # -- queries ------------------------------------------------------------------

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def get_complaint(self, payload: Payload = None, context: Context = None) -> Answer:
        """One case as staff see it (no reporter identity).
        {"complaint_id": "3f2a..."}"""
        cmd = p.ComplaintRef.parse(payload or {})
        return self.handlers.complaint(cmd.complaint_id, command_context(context))

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def get_indicators(
        self, payload: Payload = None, context: Context = None
    ) -> Answer:
        """Hotline indicators of the bureau (or one unit) for the cases received in a
        period, as they stood at its end. {"from": "2026-01-01", "to": "2026-03-31",
        "unit_id": "zjj.u003"}"""
        return self.handlers.indicators(
            c.IndicatorsQuery.parse(payload or {}), command_context(context)
        )

    # -- the warning ladder ---------------------------------------------------------

    @config_timer(interval=3600, config_key=LADDER_INTERVAL)
    def warning_ladder(self) -> None:
        """The scheduler: the ladder over every open case, today (Asia/Shanghai).
        {} (a timer; see run_warning_ladder for the same on demand)"""
        self.handlers.run_ladder()

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def run_warning_ladder(
        self, payload: Payload = None, context: Context = None
    ) -> Answer:
        """Run the ladder now (every bureau; idempotent within a day). {}"""
        return self.handlers.run_ladder()

    # -- the reporter ---------------------------------------------------------------

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def follow_complaint(
        self, payload: Payload = None, context: Context = None
    ) -> Answer:
        """The public view by receipt code. {"receipt_code": "K7Q2-M9XD-4TZP-8HRN"}"""
        return self.handlers.follow(
            p.FollowComplaint.parse(payload or {}),
            command_context(context),
            caller_key(context),
        )

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def add_information(
        self, payload: Payload = None, context: Context = None
    ) -> Answer:
        """The reporter adds to their case by receipt code.
        {"receipt_code": "K7Q2-M9XD-4TZP-8HRN", "text": "...", "attachments": []}"""
        return self.handlers.add_information(
            p.AddInformation.parse(payload or {}),
            command_context(context),
            caller_key(context),
        )

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def read_reporter_identity(
        self, payload: Payload = None, context: Context = None
    ) -> Answer:
        """Who reported (investigator or leading group office only; recorded).
        {"complaint_id": "3f2a..."}"""
        return self.handlers.read_identity(
            p.ComplaintRef.parse(payload or {}),
            command_context(context),
            _roles(context),
        )

    @rpc(expected_exceptions=EXPECTED)
    @translated
    def forget_reporter(
        self, payload: Payload = None, context: Context = None
    ) -> Answer:
        """Crypto-shred a reporter (leading group office only).
        {"complaint_id": "3f2a...", "reason": "举报人要求删除个人信息"}"""
        return self.handlers.forget_reporter(
            p.ForgetReporter.parse(payload or {}),
            command_context(context),
            _roles(context),
        )
