"""What the check-in desk does once a person is chosen, and how it says the outcome.

`DeskActions` is mixed into the desk screen (`checkin_door.DeskScreen`, which holds the state
named below and the search, board and result line). It sends the check-in in a worker while the
field already clears for the next person, and turns the result into one line: the seat taken,
or the refusal in the user's language (someone already in names who checked them in, where and
when). A full room, or an override the organizer mistyped, asks for an organizer's override
and sends again. F2 adds a walk-in prospect, F3 records who brought the client, F8 annuls the
check-in highlighted in the recent list (Tab moves there). The dialogs are `checkin_dialogs.py`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import work
from textual.message import Message
from textual.widgets import DataTable, Input, Static

from upgradecamp.tui.app import describe_error
from upgradecamp.tui.i18n import t
from upgradecamp.tui.screens.checkin_cells import checked_in_text, error_code
from upgradecamp.tui.screens.checkin_dialogs import (
    AnnulScreen,
    OverrideScreen,
    ProspectScreen,
    ReferrerScreen,
    run_search,
)
from upgradecamp.tui.widgets.tables import table_key

if TYPE_CHECKING:
    from upgradecamp.domain.staff import Actor

# Refusals after which the text typed is given back to the field to correct.
KEEP_TEXT_AFTER = frozenset({"checkin_code_unknown", "client_not_found", "checkin_needs_one",
                             "checkin_referrer_unknown", "checkin_referrer_self"})
# Refusals of an override that the organizer can put right by typing again.
OVERRIDE_FAILED = frozenset({"wrong_pin", "checkin_override_needs_pin",
                             "checkin_override_not_organizer",
                             "unknown_staff"})


class CheckInDone(Message):
    """A check-in (or annulment) finished: `text` for the result line, or a refusal."""

    def __init__(self, text: str, *, ok: bool, typed: str = "", code: str = "",
                 retry: dict[str, Any] | None = None, params: dict[str, Any] | None = None,
                 referrer_used: str | None = None) -> None:
        super().__init__()
        self.text = text
        self.ok = ok
        self.typed = typed
        self.code = code
        self.retry = retry  # the CheckIn fields to send again with an override
        self.params = params or {}
        self.referrer_used = referrer_used


class DeskActions:
    """Check-ins, overrides, walk-ins, referrals and annulments of the desk screen."""

    # The desk screen's state used here (set in its __init__).
    actor: Actor
    session_id: str
    results: dict[str, dict[str, Any]]
    recent: dict[str, dict[str, Any]]
    referrer: dict[str, Any] | None
    code_failed: str
    enter_waiting: str
    last_prospect: dict[str, str]

    # -- checking in -----------------------------------------------------------------------------
    def _check_in_row(self, row: dict[str, Any], typed: str) -> None:
        self._start({"client_id": row["client_id"]}, str(row.get("name") or ""), typed)

    def _start(self, fields: dict[str, Any], label: str, typed: str) -> None:
        """Send one check-in; the field clears at once for the next person."""
        search = self.query_one("#ck-search", Input)
        if search.value.strip() == typed:
            search.value = ""
        search.focus()
        referrer = self.referrer["client_id"] if self.referrer else None
        self.say(t("checkin_desk.working", name=label))
        self._send({**fields, "referred_by": referrer}, label, typed)

    @work(thread=True, group="ck-checkin", exit_on_error=False)
    def _send(self, fields: dict[str, Any], label: str, typed: str) -> None:
        services = None
        try:
            services = self.app.get_services()
            from upgradecamp.domain.commands.checkins import CheckIn
            from upgradecamp.queries.checkins import board

            result = services.execute(CheckIn(session_id=self.session_id, **fields), self.actor)
            if not result:  # nothing recorded (a wrong override PIN is refused after commit)
                raise RuntimeError("nothing recorded")
            shown = board(services.engine, self.session_id) or {}
        except Exception as exc:  # the refusal, in the user's language
            self.post_message(self._refusal(exc, services, fields, label, typed))
            return
        self.post_message(CheckInDone(checked_in_text(result, shown, label), ok=True,
                                      referrer_used=fields.get("referred_by")))

    def _refusal(self, exc: BaseException, services: Any, fields: dict[str, Any], label: str,
                 typed: str) -> CheckInDone:
        code = error_code(exc)
        params = dict(getattr(exc, "params", {}) or {})
        if code == "already_checked_in":
            name = label
            if fields.get("code"):  # the code was all the desk knew: name the client
                name = self._name_of(services, str(params.get("client") or "")) or label
            text = t("checkin_desk.already_in", name=name, by=params.get("by", ""),
                     terminal=params.get("terminal", ""), at=params.get("at", ""))
        elif code == "session_full":
            text = t("checkin_desk.full", name=label, capacity=params.get("capacity", ""))
        else:
            text = t("checkin_desk.refused", name=label, reason=describe_error(exc))
        retry = None
        if code == "session_full" or (fields.get("override_code") and code in OVERRIDE_FAILED):
            retry = {k: v for k, v in fields.items() if not k.startswith("override_")}
            retry["label"] = label
        return CheckInDone(text, ok=False, typed=typed, code=code, retry=retry, params=params)

    def _name_of(self, services: Any, client_id: str) -> str:
        """A client's name for a refusal: from what the desk shows, else looked up."""
        for rows in (list(self.recent.values()), list(self.results.values())):
            for row in rows:
                if row.get("client_id") == client_id and row.get("name"):
                    return str(row["name"])
        if services is None or not client_id:
            return client_id
        try:
            found = run_search(self.app, client_id, self.session_id, limit=1)
        except Exception:  # the name is a nicety: the client id is shown instead
            return client_id
        return str(found[0].get("name") or client_id) if found else client_id

    def on_check_in_done(self, message: CheckInDone) -> None:
        self.say(message.text, ok=message.ok, error=not message.ok)
        search = self.query_one("#ck-search", Input)
        if message.ok:
            if self.referrer and self.referrer["client_id"] == message.referrer_used:
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
            self._start({"prospect_name": answer["name"], "prospect_mobile": answer["mobile"]},
                        answer["name"], typed)

        self.app.push_screen(ProspectScreen(name, mobile, referrer), given)

    def action_referrer(self) -> None:
        def given(row: dict[str, Any] | None) -> None:
            self.query_one("#ck-search", Input).focus()
            if row:
                self._set_referrer(row)

        self.app.push_screen(ReferrerScreen(self.session_id), given)

    def _referrer_text(self) -> str:
        if not self.referrer:
            return ""
        return f"{self.referrer.get('name', '')} ({self.referrer['client_id']})"

    def _set_referrer(self, row: dict[str, Any] | None) -> None:
        self.referrer = row
        line = self.query_one("#ck-referrer", Static)
        line.display = row is not None
        line.update(t("checkin_desk.referrer_set", referrer=self._referrer_text()) if row else "")

    def action_annul(self) -> None:
        row = self.recent.get(table_key(self.query_one("#ck-recent", DataTable)) or "")
        if row is None:
            self.say(t("checkin_desk.nothing_to_annul"), error=True)
            return
        if row.get("annulled"):
            self.say(t("checkin_desk.already_annulled", name=row.get("name", "")), error=True)
            return
        label = t("checkin_desk.annul_which", name=row.get("name", ""), time=row.get("time", ""),
                  by=row.get("by", ""), terminal=row.get("terminal", ""))

        def given(reason: str | None) -> None:
            self.query_one("#ck-search", Input).focus()
            if reason:
                self._annul(row["checkin_id"], str(row.get("name") or ""), reason)

        self.app.push_screen(AnnulScreen(label), given)

    @work(thread=True, group="ck-checkin", exit_on_error=False)
    def _annul(self, checkin_id: str, name: str, reason: str) -> None:
        try:
            from upgradecamp.domain.commands.checkins import AnnulCheckIn

            self.app.get_services().execute(AnnulCheckIn(checkin_id=checkin_id, reason=reason),
                                            self.actor)
        except Exception as exc:  # the refusal, in the user's language
            self.post_message(CheckInDone(t("checkin_desk.refused", name=name,
                                            reason=describe_error(exc)), ok=False))
            return
        self.post_message(CheckInDone(t("checkin_desk.annul_done", name=name, reason=reason),
                                      ok=True))
