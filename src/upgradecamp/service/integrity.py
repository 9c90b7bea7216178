"""The log's own integrity, for the CLI and the TUI (which reach the store only through the
service layer): a signed checkpoint of the head as a command, and the checks of `log verify`
(chain, checkpoints, read tables) and of every opening process (read tables against the log).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from upgradecamp.domain.commands import RecordCheckpoint
from upgradecamp.domain.errors import RuleRefused
from upgradecamp.domain.events import LogCheckpointed, streams
from upgradecamp.service.unit_of_work import Handlers, UnitOfWork
from upgradecamp.store import checkpoints
from upgradecamp.store.db import read_transaction
from upgradecamp.store.eventlog import EventLog
from upgradecamp.store.keyfile import KEY_ENV

if TYPE_CHECKING:
    from upgradecamp.projections.compare import TableDiff
    from upgradecamp.service.bus import Services
    from upgradecamp.store.chain import VerifyReport


def record_checkpoint(uow: UnitOfWork, cmd: RecordCheckpoint) -> dict[str, Any]:
    """Sign the head as it is now, and record that a checkpoint was taken; the signed
    receipt is the result, for the caller to keep outside the database."""
    uow.actor.require("log.checkpoint", "take a checkpoint of the event log")
    key = uow.log.key
    if key is None:
        raise RuleRefused(
            "a checkpoint is signed with the database's key file, and it was not "
            f"found; restore it beside the database or point {KEY_ENV} at it",
            "checkpoint_needs_key",
            env=KEY_ENV,
        )
    position, digest = EventLog.head(uow.conn)
    now = uow.clock()
    receipt = checkpoints.sign(key, position, digest, now)
    uow.stream_version(streams.LOG_CHECKPOINTS)
    uow.record(LogCheckpointed(position=position, hash=digest, checkpointed_at=now))
    return receipt.as_json()


HANDLERS: Handlers = {RecordCheckpoint: record_checkpoint}


def verify_all(
    services: Services, checkpoint_files: list[Path], tables: bool
) -> tuple[VerifyReport, list[checkpoints.CheckpointCheck], list[TableDiff]]:
    """`log verify`: the chain, each checkpoint (read first: a bad file is bad usage), and with
    `tables` every read table against a scratch replay."""
    from upgradecamp.projections.compare import compare_with_log

    receipts = [(str(path), checkpoints.read(path)) for path in checkpoint_files]
    with read_transaction(services.engine) as conn:
        report = services.log.verify(conn)
        checks = [checkpoints.check(conn, services.log.key, cp, path) for path, cp in receipts]
    drift = compare_with_log(services.engine, services.log) if tables else []
    return report, checks, drift


def write_receipt(receipt: dict[str, Any], path: Path) -> None:
    """Write what `record_checkpoint` returned where the admin keeps it."""
    checkpoints.write(
        checkpoints.Checkpoint(
            receipt["position"],
            receipt["hash"],
            receipt["checkpointed_at"],
            receipt["key_id"],
            receipt["signature"],
        ),
        path,
    )


def read_model_problems(services: Services) -> list[str]:
    """The cheap check every opening process makes: read tables against the log."""
    from upgradecamp.projections.compare import quick_check

    return quick_check(services.engine)
