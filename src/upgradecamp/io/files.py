"""Files that appear whole or not at all, readable by their owner only.

A file is written under a temporary name next to its target and renamed onto it only when it
is complete — and, for an export, only once the export is recorded: the handler stages the
file, the unit of work publishes it after its commit or discards it when anything failed. So
an interrupted export never leaves half a file behind, nor a whole one nobody recorded, and an
older file under the same name survives a failed export.

The temporary file is created with mode 0600 (`tempfile.mkstemp` opens it O_CREAT|O_EXCL with
0600) and the rename keeps that mode: lists of clients' mobiles are for the staff member who
asked for them, not for every account on the machine.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from upgradecamp.domain.errors import BadInput


@dataclass(frozen=True)
class StagedFile:
    """A complete or half-written file under `temp`, to become `target` on `publish`."""

    target: Path
    temp: Path

    def publish(self) -> None:
        try:
            os.replace(self.temp, self.target)
        except BaseException:
            self.discard()
            raise

    def discard(self) -> None:
        self.temp.unlink(missing_ok=True)


def stage(path: str | Path) -> StagedFile:
    """An empty owner-only file next to `path`, to write the file into; BadInput when the
    folder is missing or not writable, or `path` is a folder."""
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise BadInput(
            f"cannot write {target}: the folder {folder} does not exist; create it "
            "or choose another --out",
            "export_no_folder",
            file=str(target),
        )
    if target.is_dir():
        raise BadInput(
            f"cannot write {target}: it is a folder; give a file name with --out",
            "export_cannot_write",
            file=str(target),
        )
    try:
        handle, temp = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.", suffix=".part")
    except OSError as exc:
        raise BadInput(
            f"cannot write {target}: {exc.strerror}; choose another --out",
            "export_cannot_write",
            file=str(target),
        ) from None
    os.close(handle)
    return StagedFile(target, Path(temp))


@contextmanager
def atomic(path: str | Path) -> Iterator[Path]:
    """A staged path for the block to write, renamed onto `path` when the block ends without
    error and removed when it does not."""
    staged = stage(path)
    try:
        yield staged.temp
    except BaseException:
        staged.discard()
        raise
    staged.publish()
