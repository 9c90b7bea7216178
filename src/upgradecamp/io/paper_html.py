"""The session's paper as HTML for any browser to print on A4: the briefing and the cards.

Pure rendering from the documents `queries/paper.py` reads. Every value passes `_e`: made safe
from spreadsheet formulas (a browser's "open in Excel" reads the tables) and HTML-escaped, so a
client called `<script>` prints as text. The check-in code's QR code is inline SVG from segno
(a regular QR code, never a Micro QR that desk scanners cannot read).
"""

from __future__ import annotations

import html
import math
from datetime import datetime, timedelta
from typing import Any

from upgradecamp.domain.agenda import agenda, minute_marks
from upgradecamp.io.spreadsheet import safe_text

PART_NAMES = {
    "bank_standard": "本行标准权益",
    "branch_special": "网点特色权益",
    "financial_partner": "合作金融机构权益",
    "nearby_merchant": "周边商户权益",
}
STEP_COLOURS = ("#7a9cc6", "#e3b04b", "#c8553d", "#5b8e55")
SPARE_FORMS = 5  # registration forms beyond the seats: walk-ins and spoilt copies
_WEEKDAYS = "一二三四五六日"

BASE_CSS = """
@page { size: A4; margin: 14mm; }
* { box-sizing: border-box; }
body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei",
       "WenQuanYi Micro Hei", sans-serif; color: #222; margin: 0; font-size: 11pt; }
h1 { font-size: 18pt; margin: 0 0 2mm; }
h2 { font-size: 13pt; border-bottom: 0.6mm solid #8c1c13; padding-bottom: 1mm; margin: 5mm 0 2mm; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 0.3mm solid #999; padding: 1.2mm 2mm; text-align: left; vertical-align: top; }
th { background: #f3ece4; }
.page { break-after: page; }
.page:last-child { break-after: auto; }
.muted { color: #666; font-size: 9pt; }
.code { font-family: "DejaVu Sans Mono", "Consolas", monospace; letter-spacing: 0.5mm; }
.box { display: inline-block; width: 4mm; height: 4mm; border: 0.3mm solid #333; }
@media screen { body { background: #ddd; } .page { background: #fff; width: 210mm;
  min-height: 297mm; margin: 6mm auto; padding: 14mm; } }
"""

BRIEF_CSS = """
.facts td:first-child { width: 28mm; background: #faf7f3; }
.agenda { display: flex; gap: 6mm; align-items: center; }
.agenda svg { width: 70mm; height: 70mm; flex: none; }
.benefit h3 { font-size: 11pt; margin: 3mm 0 1mm; }
.benefit li { margin-bottom: 1mm; }
.checklist li { list-style: none; margin: 2mm 0; }
"""

CARDS_CSS = """
.sheet { display: grid; grid-template-columns: 1fr 1fr; grid-auto-rows: 128mm; gap: 6mm; }
@media screen { .sheet { width: 210mm; margin: 6mm auto; padding: 14mm; background: #fff; } }
.card { border: 0.6mm solid #8c1c13; border-radius: 3mm; padding: 6mm; break-inside: avoid;
        display: flex; flex-direction: column; align-items: center; text-align: center; }
.card .head { color: #8c1c13; font-size: 15pt; font-weight: bold; letter-spacing: 1mm; }
.card .dear { font-size: 13pt; margin: 3mm 0 2mm; }
.card .when { font-size: 11pt; line-height: 1.5; }
.card .time { font-size: 14pt; font-weight: bold; }
.card .theme { font-size: 10pt; color: #555; margin-top: 1mm; }
.card svg { width: 46mm; height: 46mm; margin: 2mm 0 0; }
.card .code { font-size: 26pt; font-weight: bold; letter-spacing: 2mm; }
.card .note { font-size: 8.5pt; color: #666; margin-top: auto; }
"""


def _e(value: Any) -> str:
    """A value as safe HTML text: formula guard first, then escaping (quotes too)."""
    return html.escape(str(safe_text("" if value is None else str(value))), quote=True)


def _start(session: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(session["starts_at"])


def day_text(session: dict[str, Any]) -> str:
    """2026年11月20日（周五）"""
    starts = _start(session)
    return f"{starts.year}年{starts.month}月{starts.day}日（周{_WEEKDAYS[starts.weekday()]}）"


def time_text(session: dict[str, Any]) -> str:
    """15:00–15:40"""
    starts = _start(session)
    ends = starts + timedelta(minutes=session["duration_minutes"])
    return f"{starts:%H:%M}–{ends:%H:%M}"


def when_text(session: dict[str, Any]) -> str:
    """2026年11月20日（周五）15:00–15:40"""
    return day_text(session) + time_text(session)


def _document(title: str, css: str, body: str) -> str:
    return (
        f'<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{_e(title)}</title>\n<style>{BASE_CSS}{css}</style>\n</head>\n"
        f"<body>\n{body}\n</body>\n</html>\n"
    )


# --- the agenda on its clock ----------------------------------------------------------------


def _point(minute: float, total: int, radius: float) -> tuple[float, float]:
    angle = 2 * math.pi * minute / total - math.pi / 2
    return 100 + radius * math.cos(angle), 100 + radius * math.sin(angle)


def agenda_dial(duration: int) -> str:
    """The session as a clock face of `duration` minutes: one coloured arc per step, a tick
    every minute, a longer one with its number every five."""
    parts = [
        f'<svg viewBox="0 0 200 200" role="img" aria-label="{duration} 分钟议程">',
        '<circle cx="100" cy="100" r="90" fill="#fff" stroke="#333" stroke-width="1"/>',
    ]
    for n, step in enumerate(agenda(duration)):
        (x1, y1), (x2, y2) = _point(step.start, duration, 58), _point(step.end, duration, 58)
        large = 1 if (step.end - step.start) * 2 > duration else 0
        parts.append(
            f'<path d="M{x1:.2f} {y1:.2f} A58 58 0 {large} 1 {x2:.2f} {y2:.2f}" '
            f'fill="none" stroke="{STEP_COLOURS[n % 4]}" stroke-width="18"/>'
        )
        lx, ly = _point((step.start + step.end) / 2, duration, 58)
        parts.append(
            f'<text x="{lx:.2f}" y="{ly + 4:.2f}" font-size="12" font-weight="bold" '
            f'text-anchor="middle" fill="#fff">{n + 1}</text>'
        )
    marks = set(minute_marks(duration))
    for minute in range(duration):
        inner = 80 if minute in marks else 85
        (x1, y1), (x2, y2) = _point(minute, duration, inner), _point(minute, duration, 90)
        parts.append(
            f'<line x1="{x1:.2f}" y1="{y1:.2f}" x2="{x2:.2f}" y2="{y2:.2f}" '
            f'stroke="#333" stroke-width="{1.2 if minute in marks else 0.5}"/>'
        )
        if minute in marks:
            tx, ty = _point(minute, duration, 73)
            parts.append(
                f'<text x="{tx:.2f}" y="{ty + 3:.2f}" font-size="8" '
                f'text-anchor="middle">{minute}</text>'
            )
    parts.append(
        f'<text x="100" y="98" font-size="16" font-weight="bold" text-anchor="middle">'
        f'{duration}</text><text x="100" y="114" font-size="9" text-anchor="middle">'
        "分钟</text></svg>"
    )
    return "".join(parts)


def agenda_table(session: dict[str, Any]) -> str:
    starts = _start(session)
    rows = []
    for n, step in enumerate(agenda(session["duration_minutes"])):
        at = starts + timedelta(minutes=step.start)
        until = starts + timedelta(minutes=step.end)
        rows.append(
            f'<tr><td><span class="box" style="background:{STEP_COLOURS[n % 4]}">'
            f"</span> {n + 1}</td><td>{_e(step.name_zh)}</td>"
            f"<td>第 {step.start}–{step.end} 分钟</td>"
            f"<td>{at:%H:%M}–{until:%H:%M}</td></tr>"
        )
    return (
        "<table><tr><th>#</th><th>环节</th><th>分钟</th><th>时间</th></tr>"
        + "".join(rows)
        + "</table>"
    )


# --- the briefing ---------------------------------------------------------------------------


def _facts(session: dict[str, Any]) -> str:
    rows = [
        ("场次", session["session_id"]),
        ("网点", f"{session['branch_name']}（{session['branch']}）"),
        ("时间", when_text(session)),
        ("地点", session["venue"]),
        ("主题", session["theme"]),
        ("座位", f"{session['capacity']} 位"),
        ("主持人", f"{session['host_name']}（{session['host']}）"),
        ("主讲人", f"{session['presenter_name']}（{session['presenter']}）"),
    ]
    return (
        '<table class="facts">'
        + "".join(f"<tr><td>{_e(k)}</td><td>{_e(v)}</td></tr>" for k, v in rows)
        + "</table>"
    )


def _benefits(benefits: dict[str, list[dict[str, str]]]) -> str:
    if not benefits:
        return '<p class="muted">尚未发布权益包（fixtures/benefits.toml）。</p>'
    out = []
    for part, items in benefits.items():
        lis = "".join(
            f"<li><b>{_e(i['title'])}</b>：{_e(i.get('description', ''))}</li>" for i in items
        )
        out.append(
            f'<div class="benefit"><h3>{_e(PART_NAMES.get(part, part))}</h3><ul>{lis}</ul></div>'
        )
    return "".join(out)


def _attendees(invitees: list[dict[str, Any]]) -> str:
    if not invitees:
        return '<p class="muted">尚无确认参加的客户。记录电话邀约结果后重新生成本简报。</p>'
    rows = "".join(
        f"<tr><td>{n}</td><td>{_e(i['name'])}</td><td>{_e(i['tier_name'])}</td>"
        f"<td>{_e(i['rm_name'])}</td><td>{_e(i['mobile'])}</td>"
        f'<td class="code">{_e(i["code"])}</td><td><span class="box"></span></td></tr>'
        for n, i in enumerate(invitees, 1)
    )
    return (
        "<table><tr><th>#</th><th>客户</th><th>客户等级</th><th>客户经理</th>"
        "<th>手机</th><th>签到码</th><th>到场</th></tr>" + rows + "</table>"
    )


def _materials(session: dict[str, Any], confirmed: int) -> str:
    forms = max(session["capacity"], confirmed) + SPARE_FORMS
    items = [
        f"升级确认单（统一印制）{forms} 份",
        "背景墙（提前搭好，合影用）",
        "相机（充满电，存储卡已清空）",
        f"权益宣传单 {forms} 份",
        "行长审批台与签字笔",
        "签到台：签到码扫描枪或签到终端",
    ]
    return (
        '<ul class="checklist">'
        + "".join(f'<li><span class="box"></span> {_e(i)}</li>' for i in items)
        + "</ul>"
    )


def render_brief(doc: dict[str, Any], *, printed_at: datetime, printed_by: str) -> str:
    """The briefing: session, agenda on its clock, materials; attendees, benefits package."""
    session, invitees = doc["session"], doc["invitees"]
    foot = (
        f'<p class="muted">内部资料，含客户信息，用后请销毁 · {_e(printed_by)} 打印于 '
        f"{printed_at:%Y-%m-%d %H:%M}</p>"
    )
    page1 = (
        f'<section class="page"><h1>财富升级会 · 活动简报</h1>{_facts(session)}'
        f'<h2>议程（{_e(session["duration_minutes"])} 分钟）</h2><div class="agenda">'
        f"{agenda_dial(session['duration_minutes'])}{agenda_table(session)}</div>"
        f"<h2>物料清单</h2>{_materials(session, len(invitees))}{foot}</section>"
    )
    page2 = (
        f'<section class="page"><h1>到场客户名单（已确认 {len(invitees)} 位）</h1>'
        f"{_attendees(invitees)}<h2>升级权益包</h2>{_benefits(doc['benefits'])}{foot}"
        "</section>"
    )
    return _document(f"活动简报 {session['session_id']}", BRIEF_CSS, page1 + page2)


# --- the invitation cards -------------------------------------------------------------------


def qr_code(code: str) -> Any:
    """The check-in code as a regular QR code (segno would choose a Micro QR for six
    characters, which USB desk scanners and phones often cannot read)."""
    import segno

    return segno.make_qr(code, error="m")


def qr_svg(code: str) -> str:
    return qr_code(code).svg_inline(omitsize=True, border=4, svgclass="qr", lineclass=None)


def _card(session: dict[str, Any], invitee: dict[str, Any]) -> str:
    return (
        f'<div class="card"><div class="head">财富升级会 · 邀请函</div>'
        f'<div class="dear">尊敬的{_e(invitee["salutation"])}：</div>'
        f'<div class="when">诚邀您参加 {_e(day_text(session))}</div>'
        f'<div class="time">{_e(time_text(session))}</div>'
        f'<div class="when">{_e(session["branch_name"])} {_e(session["venue"])}</div>'
        f'<div class="theme">主题：{_e(session["theme"])}</div>'
        f'{qr_svg(invitee["code"])}<div class="code">{_e(invitee["code"])}</div>'
        '<div class="note">签到时出示本卡：扫描二维码或报签到码即可</div></div>'
    )


def render_cards(doc: dict[str, Any]) -> str:
    """One card per confirmed invitee, four to an A4 sheet."""
    session = doc["session"]
    cards = [_card(session, i) for i in doc["invitees"]]
    sheets = "".join(
        f'<section class="sheet page">{"".join(cards[n : n + 4])}</section>'
        for n in range(0, len(cards), 4)
    )
    return _document(f"邀请函 {session['session_id']}", CARDS_CSS, sheets)
