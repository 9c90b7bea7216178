"""The PIN that publishes a drafted rule set (发布积分规则).

A published rule set prices every form of its quarter and never changes, so the publisher
signs with their PIN, checked like a sign-in (wrong ones count towards the lockout). As at the
approval desk, the dialog runs the command itself: a wrong PIN is answered where it was typed
and the dialog stays; any other outcome closes it (the result, or a refusal for the draft
screen to show, e.g. another terminal published the same version meanwhile).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Static

from upgradecamp.tui.i18n import t
from upgradecamp.tui.screens.pin_signature import PinSignatureScreen, SignedOutcome
from upgradecamp.tui.stylesheets import stylesheet
from upgradecamp.tui.widgets.message_line import MessageLine

if TYPE_CHECKING:
    from upgradecamp.domain.rules import RuleSet
    from upgradecamp.domain.staff import Actor
    from upgradecamp.service.bus import Services


PublishOutcome = SignedOutcome  # the published rule set, or a refusal for the draft screen


class PublishPinScreen(PinSignatureScreen):
    AUTO_FOCUS = "#publish-pin"
    PIN_FIELD = "publish-pin"
    BINDINGS = [Binding("escape", "back", show=False, id="rule_draft.pin_back")]
    DEFAULT_CSS = stylesheet("publish_pin_screen")

    def __init__(self, actor: Actor, draft: RuleSet, source: str, changes: int) -> None:
        super().__init__()
        self.actor = actor
        self.draft = draft
        self.source = source
        self.changes = changes
        self.checking = False

    def compose(self) -> ComposeResult:
        d = self.draft
        with Vertical(id="publish-box"):
            yield Static(
                t("rule_draft.pin_title", version=d.version), id="publish-title", markup=False
            )
            yield Static(
                t(
                    "rule_draft.pin_summary",
                    start=d.effective_from,
                    end=d.effective_to,
                    changes=self.changes,
                    source=self.source,
                ),
                id="publish-summary",
                markup=False,
            )
            yield Static(t("rule_draft.pin_label", code=self.actor.code), markup=False)
            yield Input(
                placeholder=t("rule_draft.pin_placeholder"),
                password=True,
                max_length=12,
                restrict=r"[0-9]*",
                id="publish-pin",
            )
            yield MessageLine(id="publish-problem")
            yield Static(t("rule_draft.pin_keys"), id="publish-keys", markup=False)

    @on(Input.Submitted, "#publish-pin")
    def _submitted(self, event: Input.Submitted) -> None:
        if self.checking:
            return
        if not event.value:
            self._say(t("rule_draft.pin_empty"), error=True)
            return
        self.checking = True
        self._say(t("rule_draft.publishing"))
        self.publish(event.value)

    def publish(self, pin: str) -> None:
        def publish(services: Services) -> Any:
            from upgradecamp.domain.commands import PublishRuleSet

            d = self.draft
            return services.execute(
                PublishRuleSet(
                    version=d.version,
                    effective_from=d.effective_from.isoformat(),
                    effective_to=d.effective_to.isoformat(),
                    rules=d.to_payload(),
                    pin=pin,
                ),
                self.actor,
            )

        self.sign(publish, group="rule-publish")
