"""The one way a screen does slow work: a thread worker whose result comes back on the UI thread.

harlequin's pattern in one helper instead of a worker, a try/except and a Message class per load:
`run_in_thread` runs `job(services)` in a thread worker (exclusive in its group unless told
otherwise) and hands the value to `done`, or a `Failure` carrying `describe_error`'s text to
`failed`. Both are called through the screen's own message queue (`call_later`, which is safe
from a thread): in order with the screen's other messages, and dropped, as a posted message
is, once the screen has closed. Thread workers never touch widgets; the callbacks may.

Screens reach the app's services through `services_of` and its clock through `clock_of`, typed
by the `ServicesHost` protocol, so no screen imports `tui/app.py` (which imports the screens).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, cast

from textual.worker import get_current_worker

from upgradecamp.tui.errors import describe_error

if TYPE_CHECKING:
    from textual.app import App
    from textual.dom import DOMNode
    from textual.widget import Widget
    from textual.worker import Worker

    from upgradecamp.domain.staff import Actor
    from upgradecamp.service.bus import Services

T = TypeVar("T")


class ServicesHost(Protocol):
    """What screens ask of the app (`UpgradeCampApp` and the wall's app)."""

    def get_services(self) -> Services:
        """The database services, opened on first use; blocks, so only in workers."""
        ...

    def clock(self) -> datetime:
        """Now by the services' clock, without a database read."""
        ...


class DeskHost(ServicesHost, Protocol):
    """What the desk screens ask of `UpgradeCampApp` besides services: who is signed in."""

    @property
    def actor(self) -> Actor | None:
        """The member of staff signed in, None on the sign-in screen."""
        ...

    def signed_in(self, actor: Actor) -> None:
        """Open the signed-in person's home."""
        ...

    def sign_out(self) -> None:
        """Back to the sign-in screen."""
        ...


def services_of(app: App[Any]) -> Services:
    """The app's services (blocking: call it from a worker)."""
    return cast(ServicesHost, app).get_services()


def desk_of(app: App[Any]) -> DeskHost:
    """The app as the desks see it (typed, without importing `tui/app.py`)."""
    return cast(DeskHost, app)


def signed_in_actor(app: App[Any]) -> Actor:
    """The member of staff signed in; screens behind the sign-in never run without one."""
    actor = desk_of(app).actor
    if actor is None:
        raise RuntimeError("no one is signed in")  # a bug: such screens open after sign-in
    return actor


def clock_of(app: App[Any]) -> datetime:
    """Now by the app's injected clock: screens never read the wall clock."""
    return cast(ServicesHost, app).clock()


@dataclass(frozen=True)
class Failure:
    """Why a job failed: `text` is what to show (in the user's language); `error` is kept for
    the few screens that tell refusals apart (a wrong PIN stays in its dialog)."""

    text: str
    error: Exception


def in_place(node: Widget) -> bool:
    """Whether `node` has composed its children and is not being taken down. A Resize can reach
    a screen while the app closes and its children are pruned (seen in CI at sign-in); a
    resize handler that queries its children checks this first."""
    return node.is_mounted and not (node._closing or node._closed or node._pruning)


def run_in_thread(
    node: DOMNode,
    job: Callable[[Services], T],
    done: Callable[[T], object],
    failed: Callable[[Failure], object] | None = None,
    *,
    group: str,
    exclusive: bool = True,
    describe: Callable[[Exception], str] = describe_error,
) -> Worker[None]:
    """Run `job` with the services in a thread worker of `group`; then, on the UI thread,
    `done(value)` or `failed(Failure)`.

    Exclusive is for loads: a newer load in the group cancels this one (a thread runs on
    regardless) and a cancelled load's answer is dropped, so a slow stale read never lands
    after a fresh one. Commands pass `exclusive=False`: what they did is always reported.
    """
    app = node.app

    def work() -> None:
        worker = get_current_worker()
        try:
            value = job(services_of(app))
        except Exception as exc:  # every failure goes back to the screen, described
            if failed is not None:
                node.call_later(_unless_cancelled, worker, failed, Failure(describe(exc), exc))
            return
        node.call_later(_unless_cancelled, worker, done, value)

    return node.run_worker(
        work, name=group, group=group, exclusive=exclusive, thread=True, exit_on_error=False
    )


def _unless_cancelled(
    worker: Worker[None], callback: Callable[[Any], object], value: object
) -> None:
    if not worker.is_cancelled:
        callback(value)
