"""Every wait the tests do, in one place, each failing with what it waited for and what it saw.

A wait on a duration asserts that the machine is fast enough; these poll a condition instead,
so a loaded machine makes a test slower, not red. The timeout only bounds how long a broken
test takes to say so: it is generous and never a measure of speed.

`wait_for` and friends pump a running Textual app (a `Pilot`) while they poll; `wait_until`
polls what another thread or process does, without an app. The screen is read through
`tests.screen` (public Textual API only).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from textual.message import Message
from textual.pilot import Pilot
from textual.widgets import DataTable
from textual.worker import WorkerState

T = TypeVar("T")
M = TypeVar("M", bound=Message)

TIMEOUT = float(os.environ.get("UPGRADECAMP_TEST_TIMEOUT", "30"))
"""Seconds one wait may take before the test has failed (a 2-core machine under load is slow)."""

POLL = 0.02
"""Seconds between polls: the app runs meanwhile (timers, workers' messages)."""

UNFINISHED = (WorkerState.PENDING, WorkerState.RUNNING)


def _shorten(seen: object, limit: int = 4000) -> str:
    text = seen if isinstance(seen, str) else repr(seen)
    return text if len(text) <= limit else text[:limit] + f"… ({len(text) - limit} more)"


def _failure(what: str, timeout: float, seen: object = None) -> AssertionError:
    message = f"timed out after {timeout:g} s waiting for {what}"
    if seen is not None:
        message += f"\nlast seen:\n{_shorten(seen)}"
    return AssertionError(message)


async def wait_for(
    pilot: Pilot[Any],
    condition: Callable[[], object],
    *,
    what: str,
    seen: Callable[[], object] | None = None,
    timeout: float = TIMEOUT,
    interval: float = POLL,
) -> None:
    """Let the app run until `condition()` is true, or fail naming `what` and, when given,
    what `seen()` returned last."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() >= deadline:
            raise _failure(what, timeout, seen() if seen is not None else None)
        await pilot.pause(interval)


async def wait_for_value(
    pilot: Pilot[Any],
    get: Callable[[], T | None],
    *,
    what: str,
    timeout: float = TIMEOUT,
    interval: float = POLL,
) -> T:
    """What `get()` returns once it is not None."""
    value: T | None = None

    def arrived() -> bool:
        nonlocal value
        value = get()
        return value is not None

    await wait_for(pilot, arrived, what=what, timeout=timeout, interval=interval)
    assert value is not None
    return value


async def wait_for_text(
    pilot: Pilot[Any],
    read: Callable[[], str],
    *wanted: str,
    what: str = "",
    absent: Sequence[str] = (),
    timeout: float = TIMEOUT,
) -> str:
    """The text `read()` returns once it holds every `wanted` piece (and none of `absent`).

    A table widens its columns a refresh after its rows arrive, and a poll shows another
    terminal's write within a second or two: what is on screen is waited for, not assumed.
    """
    text = ""

    def holds() -> bool:
        nonlocal text
        text = read()
        return all(w in text for w in wanted) and not any(a in text for a in absent)

    def missing() -> str:
        gone = [w for w in wanted if w not in text]
        there = [a for a in absent if a in text]
        return f"missing {gone}" + (f", still showing {there}" if there else "") + f" in:\n{text}"

    label = what or "the text " + ", ".join(repr(w) for w in wanted)
    await wait_for(pilot, holds, what=label, seen=missing, timeout=timeout)
    return text


async def wait_for_screen_text(
    pilot: Pilot[Any], *wanted: str, absent: Sequence[str] = (), timeout: float = TIMEOUT
) -> str:
    """The whole terminal's text once it shows every `wanted` piece."""
    from tests.screen import screen_text

    return await wait_for_text(
        pilot,
        lambda: screen_text(pilot),
        *wanted,
        absent=absent,
        what="the screen to show " + ", ".join(map(repr, wanted)),
        timeout=timeout,
    )


async def wait_for_screen(pilot: Pilot[Any], kind: type[T], *, timeout: float = TIMEOUT) -> T:
    """The active screen once it is a `kind`."""
    app = pilot.app
    await wait_for(
        pilot,
        lambda: isinstance(app.screen, kind),
        what=f"a {kind.__name__} to be the active screen",
        seen=lambda: f"the active screen is {type(app.screen).__name__}",
        timeout=timeout,
    )
    return app.screen  # type: ignore[return-value]


def _unfinished(pilot: Pilot[Any]) -> list[str]:
    return [
        f"{w.name or w.description} ({w.state.name.lower()})"
        for w in pilot.app.workers
        if w.state in UNFINISHED
    ]


async def wait_for_workers(pilot: Pilot[Any], *, timeout: float = TIMEOUT) -> None:
    """Every worker done and the messages they posted handled.

    A handled message may start the next worker (a load after a save), and an exclusive worker
    superseded by a newer one ends cancelled: the wait goes on until the app is quiet.
    """
    deadline = time.monotonic() + timeout
    while True:
        while _unfinished(pilot):
            if time.monotonic() >= deadline:
                raise _failure(
                    "the app's workers to finish",
                    timeout,
                    "still running: " + ", ".join(_unfinished(pilot)),
                )
            await pilot.pause(POLL)
        await pilot.pause()
        if not _unfinished(pilot):
            return


def _tables_behind(pilot: Pilot[Any]) -> list[str]:
    behind = []
    for table in pilot.app.screen.query(DataTable):
        if not table.display or table.row_count == 0:
            continue
        header = table.header_height if table.show_header else 0
        rows = sum(row.height for row in table.ordered_rows)
        if table.virtual_size.height != header + rows:
            behind.append(
                f"{table!r}: laid out {table.virtual_size.height} of {header + rows} lines"
            )
        elif table._require_update_dimensions or table._new_rows:
            # Refilled with as many rows as before: same height, rows not yet measured.
            behind.append(f"{table!r}: {len(table._new_rows)} rows not yet measured")
    return behind


async def wait_for_tables(pilot: Pilot[Any], *, timeout: float = TIMEOUT) -> None:
    """Every shown DataTable has laid out the rows it was given.

    A table measures new rows (and widens its columns) when it is next idle: read before that,
    it shows them cut to the old widths.
    """
    await wait_for(
        pilot,
        lambda: not _tables_behind(pilot),
        what="the tables to lay out their rows",
        seen=lambda: "\n".join(_tables_behind(pilot)),
        timeout=timeout,
    )


async def wait_for_messages(
    pilot: Pilot[Any],
    messages: Sequence[Message],
    kind: type[M],
    *,
    count: int = 1,
    timeout: float = TIMEOUT,
) -> list[M]:
    """The first `count` messages of a kind that a `run_test(message_hook=…)` collected."""

    def collected() -> list[M]:
        return [m for m in messages if isinstance(m, kind)]

    await wait_for(
        pilot,
        lambda: len(collected()) >= count,
        what=f"{count} {kind.__name__} message(s)",
        seen=lambda: f"{len(collected())} of them",
        timeout=timeout,
    )
    return collected()[:count]


def wait_until(
    condition: Callable[[], object],
    *,
    what: str,
    seen: Callable[[], object] | None = None,
    timeout: float = TIMEOUT,
    interval: float = POLL,
) -> None:
    """Without an app: poll until another thread or process makes `condition()` true."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() >= deadline:
            raise _failure(what, timeout, seen() if seen is not None else None)
        time.sleep(interval)
