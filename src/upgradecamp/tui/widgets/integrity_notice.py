"""The home's lines about the log's integrity: read tables that disagree with the log (for
everyone: what they show may be wrong), and for an admin the last checkpoint, with a request
for a new one when it is over a week old (a checkpoint is only worth what is kept away from
the database, so the screen asks for it rather than taking it silently)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.widgets import Static

from upgradecamp.domain.clock import local_minute
from upgradecamp.tui.i18n import t

if TYPE_CHECKING:
    from upgradecamp.queries.integrity import CheckpointStatus


def notice_text(status: CheckpointStatus) -> str:
    if status.checkpointed_at is None:
        return t("integrity.no_checkpoint")
    params = {
        "when": local_minute(status.checkpointed_at),
        "position": status.position,
        "by": status.checkpointed_by or "",
        "days": status.days_old,
    }
    line = t("integrity.last_checkpoint", **params)
    return f"{line}\n{t('integrity.checkpoint_due', **params)}" if status.due else line


class IntegrityNotice(Static):
    DEFAULT_CSS = """
    IntegrityNotice {
        height: auto;
        padding: 0 1;
        display: none;
    }
    IntegrityNotice.-shown {
        display: block;
    }
    IntegrityNotice.-due {
        color: $warning;
        border-left: thick $warning;
    }
    """

    def __init__(self, **kwargs: object) -> None:
        super().__init__("", markup=False, **kwargs)  # type: ignore[arg-type]

    def show_status(self, status: CheckpointStatus | None, drift: list[str] | None = None) -> None:
        lines = [t("integrity.drift", problem=problem) for problem in drift or []]
        if status is not None:
            lines.append(notice_text(status))
        self.set_class(bool(lines), "-shown")
        self.set_class(bool(drift) or bool(status and status.due), "-due")
        self.update("\n".join(lines))
