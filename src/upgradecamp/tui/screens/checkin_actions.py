"""What the check-in desk does once a person is chosen, and how it says the outcome.

`DeskActions` is the base of the desk screen (`checkin_door.DeskScreen`, which holds the state
named below and the search, board and result line, and implements `say` and `reload`). It
sends the check-in in a worker while the field already clears for the next person, and turns
the result into one line: the seat taken, or the refusal in the user's language (someone
already in names who checked them in, where and when). A full room, or an override the
organizer mistyped, asks for an organizer's override and sends again. F2 adds a walk-in
prospect, F3 records who brought the client, F8 annuls the check-in highlighted in the recent
list (Tab moves there). The dialogs are `checkin_dialogs.py`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from textual.screen import Screen
from textual.widgets import DataTable, Input, Static

from upgradecamp.tui.errors import describe_error
from upgradecamp.tui.i18n import t
from upgradecamp.tui.screens.checkin_cells import checked_in_text, error_code
from upgradecamp.tui.screens.checkin_dialogs import (
    AnnulScreen,
    ConfirmOpenScreen,
    OverrideScreen,
    ProspectScreen,
    ReferrerScreen,
    local_clock,
)
from upgradecamp.tui.widgets.ordered_fields import OrderedInput
from upgradecamp.tui.widgets.tables import table_key
from upgradecamp.tui.workers import run_in_thread

if TYPE_CHECKING:
    from upgradecamp.domain.staff import Actor
    from upgradecamp.queries.checkins import RecentCheckIn
    from upgradecamp.queries.search import SearchResult
    from upgradecamp.service.bus import Services

# Refusals after which the text typed is given back to the field to correct.
KEEP_TEXT_AFTER = frozenset(
    {
        "checkin_code_unknown",
        "client_not_found",
        "checkin_needs_one",
        "checkin_referrer_unknown",
        "checkin_referrer_self",
    }
)
# Refusals of an override that the organizer can put right by typing again.
OVERRIDE_FAILED = frozenset(
    {"wrong_pin", "checkin_override_needs_pin", "checkin_override_not_organizer", "unknown_staff"}
)


@dataclass(frozen=True)
class CheckInDone:
    """A check-in (or annulment) finished: `text` for the result line, or a refusal."""

    text: str
    ok: bool
    typed: str = ""
    code: str = ""
    retry: dict[str, Any] | None = None  # the CheckIn fields to send again with an override
    params: dict[str, Any] = field(default_factory=dict)
    referrer_used: str | None = None


class DeskActions(Screen[None]):
    """Check-ins, overrides, walk-ins, referrals and annulments of the desk screen."""

    # The desk screen's state used here (set in its __init__).
    actor: Actor
    session_id: str
    results: dict[str, SearchResult]
    recent: dict[str, RecentCheckIn]
    referrer: SearchResult | None
    code_failed: str
    enter_waiting: str
    last_prospect: dict[str, str]
    refused_for: str | None

    def say(self, text: str, *, ok: bool = False, error: bool = False) -> None:
        """Show `text` on the result line (green when ok, red when an error)."""
        raise NotImplementedError

    def reload(self) -> None:
        """Read the board and the recent arrivals again."""
        raise NotImplementedError

    # -- checking in -----------------------------------------------------------------------------
    def _check_in_row(self, row: SearchResult, typed: str) -> None:
        """Enter on a result: safe by design.

        Someone already in is answered at once (who, where, when) without a round trip;
        someone not invited here is asked about once ("check in as a walk-in?" Enter / Esc);
        an invitee goes straight in.
        """
        label = row.name or ""
        person = f"{label} ({row.mobile})" if row.mobile else label
        if row.checked_in:
            self._clear(typed)
            self.say(
                t(
                    "checkin_desk.already_in",
                    name=person,
                    by=row.checked_in_by or "",
                    terminal=row.checked_in_terminal or "",
                    at=local_clock(row.checked_in_at),
                ),
                error=True,
            )
            return
        if row.invited:
            self._start({"client_id": row.client_id}, label, typed)
            return

        def answered(yes: bool | None) -> None:
            self.query_one("#ck-search", Input).focus()
            if yes:
                self._start({"client_id": row.client_id}, label, typed)
            else:
                self.say(t("door.walk_in_not_now", name=person))

        self.app.push_screen(ConfirmOpenScreen(t("door.walk_in_question", name=person)), answered)

    def _clear(self, typed: str) -> None:
        """The handled text off the field; keys typed after its Enter stay for the next one."""
        search = self.query_one("#ck-search", OrderedInput)
        value = search.value
        if value.strip() == typed:
            search.drop(len(value))
        elif typed and value.lstrip().startswith(typed):
            search.drop(len(value) - len(value.lstrip()) + len(typed))
        search.focus()

    def _start(self, fields: dict[str, Any], label: str, typed: str) -> None:
        """Send one check-in; the field clears at once for the next person."""
        self._clear(typed)
        referrer = self.referrer.client_id if self.referrer else None
        self.say(t("checkin_desk.working", name=label))
        self._send({**fields, "referred_by": referrer}, label, typed)

    def _send(self, fields: dict[str, Any], label: str, typed: str) -> None:
        def check_in(services: Services) -> CheckInDone:
            from upgradecamp.domain.commands.checkins import CheckIn
            from upgradecamp.queries.checkins import board

            result = services.execute(CheckIn(session_id=self.session_id, **fields), self.actor)
            if not result:  # nothing recorded (a wrong override PIN is refused after commit)
                raise RuntimeError("nothing recorded")
            return CheckInDone(
                checked_in_text(result, board(services.engine, self.session_id), label),
                ok=True,
                referrer_used=fields.get("referred_by"),
            )

        # A refusal is said in the user's language (`_refusal`).
        run_in_thread(
            self,
            check_in,
            self._check_in_done,
            lambda failure: self._check_in_done(self._refusal(failure.error, fields, label, typed)),
            group="ck-checkin",
            exclusive=False,
        )

    def _refusal(
        self, exc: BaseException, fields: dict[str, Any], label: str, typed: str
    ) -> CheckInDone:
        code = error_code(exc)
        params = dict(getattr(exc, "params", {}) or {})
        name = str(params.get("who") or label)  # name and masked mobile, as the rule named them
        if code == "already_checked_in":
            text = t(
                "checkin_desk.already_in",
                name=name,
                by=params.get("by", ""),
                terminal=params.get("terminal", ""),
                at=params.get("at", ""),
            )
        elif code == "session_full":
            text = t("checkin_desk.full", name=name, capacity=params.get("capacity", ""))
        else:
            text = t("checkin_desk.refused", name=label, reason=describe_error(exc))
        retry = None
        if code == "session_full" or (fields.get("override_code") and code in OVERRIDE_FAILED):
            retry = {k: v for k, v in fields.items() if not k.startswith("override_")}
            retry["label"] = label
        return CheckInDone(text, ok=False, typed=typed, code=code, retry=retry, params=params)

    def _check_in_done(self, message: CheckInDone) -> None:
        self.say(message.text, ok=message.ok, error=not message.ok)
        self.refused_for = None
        search = self.query_one("#ck-search", Input)
        if message.ok:
            if self.referrer and self.referrer.client_id == message.referrer_used:
                self._set_referrer(None)
            self.code_failed = ""
            self.last_prospect = {}
        elif message.code in KEEP_TEXT_AFTER and message.typed and not search.value:
            if message.code == "checkin_code_unknown":
                self.code_failed = message.typed
                if message.typed.isalpha():  # `wanghu` may be pinyin: one match is taken
                    self.enter_waiting = message.typed
            search.value = message.typed
            search.cursor_position = len(message.typed)
            self.refused_for = message.typed  # typing over it takes the refusal away
        elif message.code == "checkin_known_mobile" and message.params.get("client"):
            self.last_prospect = {}
            search.value = str(message.params["client"])  # that client, ready for Enter
        if message.retry is not None:
            self._ask_override(message.text, message.retry)
        search.focus()
        self.reload()

    def _ask_override(self, text: str, fields: dict[str, Any]) -> None:
        def given(answer: dict[str, str] | None) -> None:
            self.query_one("#ck-search", Input).focus()
            if not answer:
                self.say(t("checkin_desk.override_cancelled", name=fields.get("label", "")))
                return
            retry = {k: v for k, v in fields.items() if k != "label"}
            retry.update(override_code=answer["code"], override_pin=answer["pin"])
            self.say(t("checkin_desk.working", name=fields.get("label", "")))
            self._send(retry, str(fields.get("label", "")), "")

        self.app.push_screen(OverrideScreen(text), given)

    # -- walk-ins, referrals, annulments ---------------------------------------------------------
    def action_prospect(self) -> None:
        from upgradecamp.domain.names import is_cjk

        typed = self.query_one("#ck-search", Input).value.strip()
        name = self.last_prospect.get("name", "")
        mobile = self.last_prospect.get("mobile", "")
        if not name and any(map(is_cjk, typed)):
            name = typed
        referrer = self._referrer_text()

        def given(answer: dict[str, str] | None) -> None:
            self.query_one("#ck-search", Input).focus()
            if not answer:
                return
            self.last_prospect = answer
            self._start(
                {"prospect_name": answer["name"], "prospect_mobile": answer["mobile"]},
                answer["name"],
                typed,
            )

        self.app.push_screen(ProspectScreen(name, mobile, referrer), given)

    def action_referrer(self) -> None:
        def given(row: SearchResult | None) -> None:
            self.query_one("#ck-search", Input).focus()
            if row:
                self._set_referrer(row)

        self.app.push_screen(ReferrerScreen(self.session_id), given)

    def _referrer_text(self) -> str:
        if not self.referrer:
            return ""
        return f"{self.referrer.name} ({self.referrer.client_id})"

    def _set_referrer(self, row: SearchResult | None) -> None:
        self.referrer = row
        line = self.query_one("#ck-referrer", Static)
        line.display = row is not None
        line.update(t("checkin_desk.referrer_set", referrer=self._referrer_text()) if row else "")

    def action_annul(self) -> None:
        row = self.recent.get(table_key(self.query_one("#ck-recent", DataTable)) or "")
        if row is None:
            self.say(t("checkin_desk.nothing_to_annul"), error=True)
            return
        if row.annulled:
            self.say(t("checkin_desk.already_annulled", name=row.name), error=True)
            return
        label = t(
            "checkin_desk.annul_which",
            name=row.name,
            time=row.time,
            by=row.by,
            terminal=row.terminal,
        )

        def given(reason: str | None) -> None:
            self.query_one("#ck-search", Input).focus()
            if reason:
                self._annul(row.checkin_id, row.name, reason)

        self.app.push_screen(AnnulScreen(label), given)

    def _annul(self, checkin_id: str, name: str, reason: str) -> None:
        def annul(services: Services) -> None:
            from upgradecamp.domain.commands.checkins import AnnulCheckIn

            services.execute(AnnulCheckIn(checkin_id=checkin_id, reason=reason), self.actor)

        run_in_thread(
            self,
            annul,
            lambda _none: self._check_in_done(
                CheckInDone(t("checkin_desk.annul_done", name=name, reason=reason), ok=True)
            ),
            lambda failure: self._check_in_done(
                CheckInDone(t("checkin_desk.refused", name=name, reason=failure.text), ok=False)
            ),
            group="ck-checkin",
            exclusive=False,
        )
