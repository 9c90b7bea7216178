"""The invitation wave files: the bulk-SMS file and the call list (CSV, UTF-8 with BOM).

An SMS platform and a caller dial these numbers, so the files carry real mobiles (the printable
call list masks them). Who may write them, and the record of each, is the wave export's
handler (service/exports.py); which invitees are in them, `domain/waves.py`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from upgradecamp.io.spreadsheet import fill_csv

SMS_HEADER = ("mobile", "text")  # the SMS platform's format, in every language
# The call list is read by callers: headers and coded cells in their language (issue 13).
CALLS_TITLES = {
    "en": (
        "Invitation",
        "Check-in code",
        "Name",
        "Mobile",
        "Segment",
        "AUM",
        "State",
        "Last result",
    ),
    "zh_CN": ("邀约编号", "签到码", "姓名", "手机号", "客群", "金融资产", "邀约状态", "最近结果"),
}
CALLS_LABELS = {4: "invite_builder.segment", 6: "call_list.state", 7: "call_list.result"}


def fill_wave_file(
    path: str | Path, kind: str, rows: Iterable[Sequence[Any]], lang: str | None = None
) -> int:
    """Write a wave's rows (`domain.waves.sms_rows` or `call_rows`) into a staged `path`; a
    call list in `lang` (else the command's or the screen's language)."""
    if kind != "calls":
        return fill_csv(path, SMS_HEADER, rows)
    from upgradecamp import i18n

    lang = lang or i18n.language()
    worded = (
        tuple(
            i18n.label(CALLS_LABELS[i], cell, lang) if i in CALLS_LABELS else cell
            for i, cell in enumerate(row)
        )
        for row in rows
    )
    return fill_csv(path, CALLS_TITLES.get(lang, CALLS_TITLES["en"]), worded)
