"""The registration picker's rows: its attendee and "my forms" lines, and today's sessions.

Pure text from query results (no widgets, no services), apart from `registration.py` so the
screen module holds only the screen: its layout, keys and workers. What a line shows, how the
list is filtered as the marketer types, and which sessions are offered are read and tested
here without a running app.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from upgradecamp.i18n import theme_of
from upgradecamp.tui.i18n import client_name, t
from upgradecamp.tui.screens.registration_parts import short_form_id, status_name
from upgradecamp.tui.widgets import aligned, column_widths

if TYPE_CHECKING:
    from upgradecamp.queries.forms import FormSummary
    from upgradecamp.queries.sessions import SessionView

# Cell limits of the attendee list: name, mobile, tier, client id, form.
ATTENDEE_LIMITS = (10, 11, 10, 12, 40)
# Cell limits of the "my forms" list: status, form, client, session, points.
FORM_LIMITS = (8, 4, 10, 18, 40)


def attendee_matches(attendee: dict[str, Any], needle: str) -> bool:
    """Name, pinyin initials (`zs` finds 张三), client number, or the mobile's last digits."""
    needle = needle.strip().lower()
    if not needle:
        return True
    name = str(attendee.get("name") or "")
    return (
        needle in name.lower()
        or str(attendee.get("initials") or "").startswith(needle)
        or needle in str(attendee.get("client_id") or "").lower()
        or (needle.isdigit() and str(attendee.get("mobile") or "").endswith(needle))
    )


def attendee_form_label(attendee: dict[str, Any], session_id: str) -> str:
    forms = attendee.get("forms") or []
    if not forms:
        return ""
    last = forms[-1]
    return f"{status_name(last['status'])} {short_form_id(last['form_id'], session_id)}"


def attendee_rows(attendees: list[dict[str, Any]], session_id: str) -> list[str]:
    """The attendee list's lines, in columns by cell width (Chinese names take two cells)."""
    cells = [
        [
            str(a.get("name") or ""),
            str(a.get("mobile") or ""),
            str(a.get("tier_name") or a.get("tier") or ""),
            str(a.get("client_id") or ""),
            attendee_form_label(a, session_id),
        ]
        for a in attendees
    ]
    widths = column_widths(cells, ATTENDEE_LIMITS)
    return [aligned(row, widths) for row in cells]


def form_rows(forms: list[FormSummary]) -> list[str]:
    """The 'my forms' list: status, form, client, session, points; a returned one's reason
    on a second line, so the marketer reads what to fix before opening it."""
    cells = []
    for f in forms:
        when = str(f.session_starts_at or "")
        session = f"{when[5:10]} {when[11:16]} {f.branch or ''}".strip()
        cells.append(
            [
                status_name(str(f.status)),
                short_form_id(str(f.form_id)),
                client_name(str(f.client_name or f.client_id or "")),
                session,
                t("registration.form_points", points=f"{int(f.points or 0):,}"),
            ]
        )
    widths = column_widths(cells, FORM_LIMITS)
    rows = []
    for f, row in zip(forms, cells, strict=True):
        text = aligned(row, widths)
        if f.status == "returned" and f.reason:
            text += "\n  " + t(
                "registration.reason", by=str(f.decided_by or ""), reason=str(f.reason)
            )
        rows.append(text)
    return rows


def session_choice(session: SessionView) -> str:
    """'15:00 B02 贵宾室 小小银行家 · open': one of today's sessions in the picker."""
    from upgradecamp.tui.screens.session_rows import status_name as session_status

    parts = [
        str(session.get("time") or ""),
        str(session.get("branch") or ""),
        str(session.get("venue") or ""),
        theme_of(session),
    ]
    return f"{' '.join(p for p in parts if p)} · {session_status(str(session.get('status')))}"


def sessions_for(sessions: list[SessionView], branch: str | None) -> list[SessionView]:
    """Today's sessions that take forms (open, or closed earlier today), own branch first."""
    usable = [s for s in sessions if s.get("status") in ("open", "closed")]
    return sorted(
        usable,
        key=lambda s: (
            s.get("branch") != branch,
            s.get("status") != "open",
            str(s.get("starts_at")),
        ),
    )
