"""The checked rows of a client file between the check and the apply, kept on disk.

A million-row CRM export does not fit in memory as dicts (several KB a row): the first pass
checks each row as it is read and writes it here, the apply pass reads the good rows back in
chunks. A scratch SQLite file of our own, whatever database the import goes to, in a private
folder (0700, the file 0600: it holds personal data) that `close` deletes.

Every row with a client number is kept, good or bad, because a client number seen on an
earlier line makes a later line bad whether or not the earlier one is good
(`domain.client_import.check_rows` states the rule; `duplicates` applies it here in SQL).

The problems found are kept here too, not in memory: a file of a million bad rows has a
million problems. Screens show the first few (`first_problems`) and a count; the report file
gets all of them (`problems`), in line order, a row's own problems before its duplicate.
"""

from __future__ import annotations

import marshal
import os
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

FLUSH_EVERY = 5_000


class ImportSpool:
    """Rows in line order: `add` each as it is checked, then `duplicates`, then `good_rows`."""

    def __init__(self) -> None:
        self._folder = Path(tempfile.mkdtemp(prefix="upgradecamp-import-"))
        path = self._folder / "rows.db"
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
        self._db = sqlite3.connect(path)
        # Scratch data: no journal, no flush; a crash loses nothing the import had committed.
        self._db.executescript(
            "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA cache_size=-16000;"
            "CREATE TABLE rows (line INTEGER PRIMARY KEY, client_id TEXT, raw TEXT, "
            "clean BLOB);"
            "CREATE TABLE problems (seq INTEGER PRIMARY KEY, line INTEGER, problem BLOB);"
        )
        self._buffer: list[tuple[int, str | None, str | None, bytes | None]] = []
        self._problems: list[tuple[int, bytes]] = []
        self.rows = 0
        self.problem_count = 0

    def add(
        self, line: int, client_id: str, raw_id: str | None, clean: dict[str, Any] | None
    ) -> None:
        """One data row: its normalised client number ("" if none) and its clean form if good."""
        self._buffer.append(
            (line, client_id or None, raw_id, None if clean is None else marshal.dumps(clean))
        )
        self.rows += 1
        if len(self._buffer) >= FLUSH_EVERY:
            self._flush()

    def add_problems(self, problems: list[dict[str, Any]]) -> None:
        """Problems in the order found (a row's own, then a repeated client number's)."""
        for found in problems:
            self._problems.append((int(found["line"]), marshal.dumps(found)))
        self.problem_count += len(problems)
        if len(self._problems) >= FLUSH_EVERY:
            self._flush()

    def first_problems(self, count: int) -> list[dict[str, Any]]:
        """The first `count` problems in line order."""
        self._flush()
        found = self._db.execute(
            "SELECT problem FROM problems ORDER BY line, seq LIMIT ?", (count,)
        ).fetchall()
        return [marshal.loads(blob) for (blob,) in found]

    def problems(self) -> Iterator[dict[str, Any]]:
        """Every problem in line order, read a few thousand at a time."""
        self._flush()
        cursor = self._db.execute("SELECT problem FROM problems ORDER BY line, seq")
        while batch := cursor.fetchmany(FLUSH_EVERY):
            for (blob,) in batch:
                yield marshal.loads(blob)

    def bad_lines(self) -> list[int]:
        """The lines with at least one problem, in order."""
        self._flush()
        return [
            line for (line,) in self._db.execute("SELECT DISTINCT line FROM problems ORDER BY line")
        ]

    def bad_line_count(self) -> int:
        self._flush()
        return int(self._db.execute("SELECT COUNT(DISTINCT line) FROM problems").fetchone()[0])

    def _flush(self) -> None:
        self._db.executemany("INSERT INTO rows VALUES (?, ?, ?, ?)", self._buffer)
        self._buffer.clear()
        self._db.executemany("INSERT INTO problems (line, problem) VALUES (?, ?)", self._problems)
        self._problems.clear()

    def duplicates(self) -> list[tuple[int, str | None, int]]:
        """(line, client number as the file has it, first line with it) for every later line
        repeating a client number; those lines leave the good rows."""
        self._flush()
        self._db.execute("CREATE INDEX rows_client ON rows (client_id)")
        found = self._db.execute(
            "SELECT r.line, r.raw, f.first FROM rows r JOIN (SELECT client_id, MIN(line) AS "
            "first FROM rows WHERE client_id IS NOT NULL GROUP BY client_id "
            "HAVING COUNT(*) > 1) f ON r.client_id = f.client_id WHERE r.line > f.first "
            "ORDER BY r.line"
        ).fetchall()
        self._db.executemany(
            "UPDATE rows SET clean = NULL WHERE line = ?", [(line,) for line, _, _ in found]
        )
        return found

    def good_rows(self, chunk: int) -> Iterator[list[dict[str, Any]]]:
        """The clean rows in line order, `chunk` at a time."""
        self._flush()
        after = 0
        while True:
            found = self._db.execute(
                "SELECT line, clean FROM rows WHERE line > ? AND clean IS NOT NULL "
                "ORDER BY line LIMIT ?",
                (after, chunk),
            ).fetchall()
            if not found:
                return
            after = found[-1][0]
            yield [marshal.loads(clean) for _, clean in found]

    def close(self) -> None:
        self._db.close()
        shutil.rmtree(self._folder, ignore_errors=True)
