"""Checkpoints: a signed receipt of the log's head, kept outside the database.

A keyed chain stops anyone without the key from forging events, but not from cutting the log
short and setting `log_head` to the new last row: what is left still verifies. A checkpoint
says "position P had hash H at time T", signed with the database's key; as long as the log
holds P with H, nothing up to P was cut or rewritten. Its file is JSON, so an auditor can read
it; its signature uses its own key derived from the key file, never the chain's.
"""

from __future__ import annotations

import hmac
import json
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, func, select

from upgradecamp.domain.errors import BadInput
from upgradecamp.store.canonical import canonical
from upgradecamp.store.keyfile import LogKey
from upgradecamp.store.log_tables import event_log

FORMAT = "upgradecamp-checkpoint/1"


@dataclass(frozen=True)
class Checkpoint:
    position: int
    hash: str
    checkpointed_at: str
    key_id: str
    signature: str = ""

    def signed_part(self) -> str:
        return canonical(
            {
                "format": FORMAT,
                "position": self.position,
                "hash": self.hash,
                "checkpointed_at": self.checkpointed_at,
                "key_id": self.key_id,
            }
        )

    def as_json(self) -> dict[str, Any]:
        return {"format": FORMAT, **asdict(self)}


def sign(key: LogKey, position: int, digest: str, at: datetime) -> Checkpoint:
    unsigned = Checkpoint(position, digest, at.isoformat(timespec="seconds"), key.key_id)
    mac = hmac.digest(key.checkpoint, unsigned.signed_part().encode(), "sha256").hex()
    return Checkpoint(**{**asdict(unsigned), "signature": mac})


def write(checkpoint: Checkpoint, path: Path) -> None:
    try:
        path.write_text(json.dumps(checkpoint.as_json(), indent=2) + "\n", encoding="utf-8")
    except OSError as exc:
        raise BadInput(
            f"cannot write the checkpoint to {path}: {exc.strerror}; pass another --out path",
            "checkpoint_cannot_write",
            path=str(path),
            reason=str(exc.strerror),
        ) from None


def read(path: Path) -> Checkpoint:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format") != FORMAT:
            raise ValueError
        return Checkpoint(
            int(data["position"]),
            str(data["hash"]),
            str(data["checkpointed_at"]),
            str(data["key_id"]),
            str(data["signature"]),
        )
    except OSError as exc:
        raise BadInput(
            f"cannot read the checkpoint {path}: {exc.strerror}; check the path",
            "checkpoint_cannot_read",
            path=str(path),
            reason=str(exc.strerror),
        ) from None
    except (ValueError, KeyError, TypeError, AttributeError):
        raise BadInput(
            f"{path} is not an upgradecamp checkpoint file; pass a file written by "
            "`upgradecamp log checkpoint`",
            "checkpoint_not_a_receipt",
            path=str(path),
        ) from None


@dataclass(frozen=True)
class CheckpointCheck:
    path: str
    position: int
    checkpointed_at: str
    ok: bool
    signature_checked: bool
    problem: str | None = None


def check(
    conn: Connection, key: LogKey | None, checkpoint: Checkpoint, path: str
) -> CheckpointCheck:
    """Does the log still hold the checkpointed head? Names the position when it does not."""
    cp = checkpoint

    def result(problem: str | None, signed: bool) -> CheckpointCheck:
        return CheckpointCheck(
            path, cp.position, cp.checkpointed_at, problem is None, signed, problem
        )

    signed = key is not None
    if key is not None:
        expected = hmac.digest(key.checkpoint, cp.signed_part().encode(), "sha256").hex()
        if cp.key_id != key.key_id or not hmac.compare_digest(expected, cp.signature):
            return result(
                f"{path} is not signed with this database's key: it was made for "
                "another database, or edited",
                signed,
            )
    digest = conn.execute(
        select(event_log.c.hash).where(event_log.c.position == cp.position)
    ).scalar()
    if digest is None:
        last = conn.execute(select(func.max(event_log.c.position))).scalar() or 0
        return result(
            f"the log no longer holds position {cp.position}, checkpointed at "
            f"{cp.checkpointed_at}: it ends at position {last}, so it was cut short "
            "(and its head rewritten)",
            signed,
        )
    if digest != cp.hash:
        return result(
            f"position {cp.position} no longer has the hash checkpointed at "
            f"{cp.checkpointed_at}: the log was rewritten at or before position "
            f"{cp.position}",
            signed,
        )
    return result(None, signed)
