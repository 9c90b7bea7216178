"""One form in full on the approval desk, and what its dialogs and result line say: pure text.

The detail beside (or below) the queue: who and where (the form and where it stands, session,
marketer, client with masked mobile and risk grade, who decided it), the lines with their
calculation breakdown as a small table aligned by cell width (or, before a calculation, as
typed), fixed actions and the appointment, then totals, the tier before and after and any
earlier return. Also the one-line summary the approve/reject/return dialogs show and the line
an approval leaves. The screen is `approval_desk.py`; the list's words are `approval_list.py`.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from rich.cells import cell_len

from upgradecamp.tui import i18n
from upgradecamp.tui.i18n import t
from upgradecamp.tui.screens.approval_list import (
    Names,
    clock_text,
    money,
    status_name,
    tier_change,
    waiting_minutes,
    waiting_text,
)
from upgradecamp.tui.widgets import aligned, column_widths, fit

if TYPE_CHECKING:
    from upgradecamp.queries.forms import FormDetail, FormSummary

# Cell limits of the detail's line table.
LINE_LIMITS = (12, 10, 13, 5, 5, 13, 7)
SOURCES = ("existing", "new", "other_bank")


def source_name(source: str) -> str:
    return t(f"approval_desk.source_{source}") if source in SOURCES else source


def form_summary(row: FormSummary, names: Names) -> str:
    """One line naming a form for the dialogs: client, mobile (masked), points, tiers."""
    return t(
        "approval_desk.summary",
        client=row.client_name or row.client_id,
        mobile=row.mobile or "",
        points=f"{int(row.points or 0):,}",
        tiers=tier_change(row.tier_before, row.tier_after, names),
        marketer=row.marketer_name or row.marketer or "",
    )


def detail_head(d: FormDetail, now: datetime) -> str:
    """Who and where: the form and where it stands, session, marketer, client."""
    submitted = clock_text(d.submitted_at, now)
    if d.status == "submitted":
        wait = waiting_text(waiting_minutes(d.submitted_at, now))
        when = t("approval_desk.submitted_waiting", at=submitted, wait=wait)
    else:
        when = t("approval_desk.submitted_at", at=submitted)
    rows = [t("approval_desk.form_line", form=d.form_id, status=status_name(d.status), when=when)]
    if int(d.revision or 0) > 0:
        rows.append(t("approval_desk.revision", revision=d.revision))
    where = t("approval_desk.on_site") if d.on_site else t("approval_desk.after_session")
    rows.append(
        t(
            "approval_desk.session_line",
            session=d.session_id,
            start=clock_text(d.session_starts_at, now),
            where=where,
            marketer=d.marketer_name or "",
            code=d.marketer or "",
        )
    )
    risk = d.risk_grade or t("approval_desk.risk_none")
    rows.append(
        t(
            "approval_desk.client_line",
            name=d.client_name or "",
            client=d.client_id,
            mobile=d.mobile or "",
            aum=money(d.aum),
            risk=risk,
        )
    )
    if d.status != "submitted":
        if d.decided_by:
            rows.append(
                t(
                    "approval_desk.decided_line",
                    status=status_name(d.status),
                    by=d.decided_by,
                    terminal=d.decided_terminal or "?",
                    at=clock_text(d.decided_at, now),
                )
            )
        if d.reason:
            rows.append(t("approval_desk.reason_line", reason=d.reason))
        if d.status == "approved":
            rows.append(
                t("approval_desk.photo_taken_line", at=clock_text(d.photo_at, now))
                if d.photo_taken
                else t("approval_desk.photo_waiting_line")
            )
    return "\n".join(rows)


def detail_lines(d: FormDetail, names: Names) -> str:
    """The lines with their calculation breakdown, then fixed actions and the appointment."""
    calc = d.calculation
    rows: list[str] = []
    if calc:
        rows.append(t("approval_desk.lines_title", version=calc.get("rule_set", "")))
        header = [
            t("approval_desk.col_product"),
            t("approval_desk.col_source"),
            t("approval_desk.col_value"),
            t("approval_desk.col_coefficient"),
            t("approval_desk.col_multiplier"),
            t("approval_desk.col_converted"),
            t("approval_desk.col_points"),
        ]
        cells = [
            [
                names.product(x["product"]),
                source_name(x["source"]),
                money(x["value"]),
                str(x["coefficient"]),
                str(x["multiplier"]),
                money(x["converted_delta"]),
                f"{int(x['points']):,}",
            ]
            for x in calc.get("lines", [])
        ]
        rows.extend(_table(header, cells, right=(2, 3, 4, 5, 6)))
        actions = [
            f"{names.action(a['code'])} +{int(a['points']):,}" for a in calc.get("actions", [])
        ]
    else:
        rows.append(t("approval_desk.lines_as_typed"))
        header = [
            t("approval_desk.col_product"),
            t("approval_desk.col_source"),
            t("approval_desk.col_value"),
        ]
        cells = [
            [names.product(x["product"]), source_name(x["source"]), money(x["value"])]
            for x in d.lines
        ]
        rows.extend(_table(header, cells, right=(2,)))
        actions = [names.action(code) for code in d.actions]
    if not cells:
        rows.append(t("approval_desk.no_lines"))
    rows.append(
        t("approval_desk.actions_line", actions=", ".join(actions) or t("approval_desk.none"))
    )
    rows.append(t("approval_desk.appointment_line", date=d.appointment or t("approval_desk.none")))
    return "\n".join(rows)


def _table(header: list[str], cells: list[list[str]], right: tuple[int, ...]) -> list[str]:
    widths = column_widths([header, *cells], LINE_LIMITS[: len(header)])
    out = []
    for row in [header, *cells]:
        shown = []
        for i, (value, width) in enumerate(zip(row, widths, strict=True)):
            if i in right and cell_len(value) <= width:
                shown.append(" " * (width - cell_len(value)) + value)
            else:
                shown.append(fit(value, width))
        out.append(aligned(shown, widths, gap=" "))
    return out


def detail_foot(d: FormDetail, names: Names, now: datetime) -> str:
    """Totals, the tier before and after, and any earlier return (with its reason)."""
    rows = [
        t(
            "approval_desk.totals_line",
            delta=money(d.converted_delta),
            points=f"{int(d.points or 0):,}",
        )
    ]
    rises = d.tier_rises
    if rises is None:
        rises = d.tier_before != d.tier_after
    rows.append(
        t(
            "approval_desk.tier_line",
            before=names.tier(d.tier_before),
            after=names.tier(d.tier_after),
            change=t("approval_desk.tier_rises") if rises else t("approval_desk.tier_same"),
        )
    )
    for ev in d.history or []:
        if ev.get("type") == "FormReturned":
            rows.append(
                t(
                    "approval_desk.history_returned",
                    by=ev.get("by") or "?",
                    at=clock_text(ev.get("at"), now),
                    reason=ev.get("reason") or "",
                )
            )
    return "\n".join(rows)


def approved_text(result: dict[str, Any], row: FormSummary, names: Names) -> str:
    """What an approval did: points credited, tiers, an experience period, bonuses."""
    client = row.client_name or result.get("client_id", "")
    parts = [
        t(
            "approval_desk.approved",
            form=result.get("form_id", ""),
            client=client,
            points=f"{int(result.get('points') or 0):,}",
            tiers=tier_change(result.get("tier_before"), result.get("tier_after"), names),
        )
    ]
    if result.get("experience"):
        parts.append(t("approval_desk.experience", tier=names.tier(result["experience"])))
    for bonus in result.get("bonuses") or []:
        kind = str(bonus.get("kind", ""))
        key = f"approval_desk.bonus_{kind}"
        parts.append(
            t(
                "approval_desk.bonus",
                points=f"{int(bonus.get('points') or 0):,}",
                client=bonus.get("client_id", ""),
                kind=t(key) if i18n.has(key) else kind,
            )
        )
    parts.append(t("approval_desk.photo_next"))
    return " ".join(parts)
