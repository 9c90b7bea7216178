"""Handlers of the tier service plans: import holdings, run the day's plan, export a tier's
push list. The plans are fixtures/maintenance.toml (read through `config.fixtures_dir()`);
what a run decided is recorded as events, so replay needs no file."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func
from sqlmodel import col, select

from upgradecamp.config import fixtures_dir
from upgradecamp.domain import maintenance as rules
from upgradecamp.domain.client_cells import normalise
from upgradecamp.domain.commands.maintenance import ExportTierSms, ImportHoldings, RunMaintenance
from upgradecamp.domain.errors import BadInput, NotFound, RuleFileError, RuleRefused
from upgradecamp.domain.events import streams
from upgradecamp.domain.events.followups import MaintenanceCallPlanned
from upgradecamp.domain.events.holdings import Holding, HoldingsImported
from upgradecamp.domain.events.invitations import PersonalDataExported
from upgradecamp.domain.holdings import check_holding
from upgradecamp.domain.invitations import OPT_OUT_LINE
from upgradecamp.domain.privacy import left_out
from upgradecamp.domain.rules import business_date
from upgradecamp.io.holdings_files import read_holdings_file
from upgradecamp.io.invite_files import fill_wave_file
from upgradecamp.service.exports import record_export_event, staged_file
from upgradecamp.service.fixtures import read_toml
from upgradecamp.service.points import published_rule_sets, tier_ladder
from upgradecamp.service.privacy import forgotten_on
from upgradecamp.service.unit_of_work import Handlers, UnitOfWork
from upgradecamp.store.tables import BranchRow, ClientPointsRow, ClientRow, StaffRow
from upgradecamp.store.tables.followups import FollowUpRow
from upgradecamp.store.tables.holdings import HoldingRow, TierMoveRow
from upgradecamp.store.tables.invitations import ExportRow
from upgradecamp.store.tables.sessions import CheckInRow


def load_plans(tiers: list[str]) -> dict[str, rules.TierPlan]:
    path = fixtures_dir() / "maintenance.toml"
    data = read_toml(path)
    try:
        return rules.parse_plans(data, tiers, str(path))
    except BadInput as exc:
        raise RuleFileError(str(exc), exc.code, **exc.params) from None


def import_holdings(uow: UnitOfWork, cmd: ImportHoldings) -> dict[str, Any]:
    """All or nothing: a bad row (by line) imports nothing unless `good_rows_only`. A row of
    a forgotten client is left out (named by line): no maturity call for a forgotten person."""
    uow.actor.require("clients.import", "import holdings")
    rows = read_holdings_file(cmd.path)
    products = {
        code: p.name_zh for rs in published_rule_sets(uow.conn) for code, p in rs.products.items()
    }
    wanted = sorted({str(r.get("client_id") or "").strip() for r in rows})
    clients = {
        c
        for (c,) in uow.conn.execute(
            select(col(ClientRow.client_id)).where(col(ClientRow.client_id).in_(wanted))
        )
    }
    forgotten = forgotten_on(uow, clients)
    good, problems, gone = [], [], []
    for raw in rows:
        client_id = normalise(raw.get("client_id"))
        if client_id in forgotten:
            gone.append(left_out(int(raw["line"]), client_id, forgotten[client_id]))
            continue
        clean, found = check_holding(raw, products, clients)
        problems.extend(found)
        if clean is not None:
            good.append(clean)
    result = {
        "file": cmd.path,
        "rows": len(rows),
        "good": len(good),
        "problems": problems,
        "left_out": gone,
        "imported": 0,
        "dry_run": cmd.dry_run,
    }
    if problems and not cmd.good_rows_only:
        lines = sorted({p["line"] for p in problems})
        shown = "; ".join(f"line {p['line']}, {p['column']}: {p['reason']}" for p in problems[:20])
        raise BadInput(
            f"{len(lines)} bad row(s); nothing was imported: {shown}. Fix them, or "
            "import only the good rows with --good-rows-only",
            "holdings_bad_rows",
            count=len(lines),
        )
    if cmd.dry_run or not good:
        return result
    uow.stream_version(streams.HOLDINGS)
    uow.record(
        HoldingsImported(
            source=cmd.path,
            holdings=[
                Holding(
                    client_id=g["client_id"],
                    product=g["product"],
                    amount=Decimal(g["amount"]),
                    maturity=date.fromisoformat(g["maturity"]),
                )
                for g in good
            ],
        )
    )
    return {**result, "imported": len(good)}


def _on(uow: UnitOfWork, text: str | None) -> date:
    if not text:
        return business_date(uow.clock())
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise BadInput(
            f"--on {text!r} is not a date (YYYY-MM-DD)", "maintenance_bad_date", value=text
        ) from None


def _tier_moves(
    uow: UnitOfWork, on: date, plans: dict[str, rules.TierPlan], ladder: Any
) -> dict[str, tuple[date, str]]:
    """Client → (day, tier before) of each tier change recent enough for a plan to call."""
    longest = max((p.tier_changed_days or 0 for p in plans.values()), default=0)
    found: dict[str, tuple[date, str]] = {}
    for client_id, day, cents, experience in uow.conn.execute(
        select(
            col(TierMoveRow.client_id),
            col(TierMoveRow.changed_on),
            col(TierMoveRow.aum_before_cents),
            col(TierMoveRow.experience_before),
        ).where(
            col(TierMoveRow.changed_on) >= on - timedelta(days=longest),
            col(TierMoveRow.changed_on) <= on,
        )
    ):
        found[client_id] = (day, experience or ladder.tier_for(Decimal(cents) / 100).code)
    return found


def _client_facts(uow: UnitOfWork, on: date, plans: dict[str, rules.TierPlan]) -> list[Any]:
    conn = uow.conn
    ladder = tier_ladder(conn)
    moves = _tier_moves(uow, on, plans, ladder)
    staff = {c for (c,) in conn.execute(select(col(StaffRow.code)))}
    experience = dict(
        conn.execute(
            select(col(ClientPointsRow.client_id), col(ClientPointsRow.experience_tier)).where(
                col(ClientPointsRow.experience_tier).is_not(None)
            )
        ).all()
    )
    ends = dict(
        conn.execute(
            select(col(ClientPointsRow.client_id), col(ClientPointsRow.experience_ends)).where(
                col(ClientPointsRow.experience_ends).is_not(None)
            )
        ).all()
    )
    maturities: dict[str, list[tuple[str, date]]] = {}
    for client_id, product, day in conn.execute(
        select(
            col(HoldingRow.client_id), col(HoldingRow.product), col(HoldingRow.maturity)
        ).order_by(col(HoldingRow.client_id), col(HoldingRow.maturity), col(HoldingRow.product))
    ):
        maturities.setdefault(client_id, []).append((product, day))
    contact: dict[str, date] = {}
    for client_id, at in [
        *conn.execute(
            select(col(CheckInRow.client_id), func.max(col(CheckInRow.at)))
            .where(col(CheckInRow.annulled).is_(False))
            .group_by(col(CheckInRow.client_id))
        ),
        *conn.execute(
            select(col(FollowUpRow.client_id), func.max(col(FollowUpRow.done_at)))
            .where(col(FollowUpRow.done_by) != "system")
            .group_by(col(FollowUpRow.client_id))
        ),
    ]:
        if at is not None:
            day = business_date(at)
            contact[client_id] = max(contact.get(client_id, day), day)
    facts = []
    # Only the columns the plans use: the register's other columns (names, mobiles, several
    # dates converted row by row) cost more to read than the decisions made from these.
    wanted = select(  # type: ignore[call-overload]  # sqlmodel: 4 columns max
        col(ClientRow.client_id),
        col(ClientRow.aum_cents),
        col(ClientRow.branch),
        col(ClientRow.rm),
        col(ClientRow.marketing_consent),
        col(ClientRow.consent_withdrawn),
        col(ClientRow.registered_at),
        col(ClientRow.birthday),
    ).order_by(col(ClientRow.client_id))
    for r in conn.execute(wanted).all():
        tier = experience.get(r.client_id) or ladder.tier_for(Decimal(r.aum_cents) / 100).code
        move = moves.get(r.client_id)
        moved = None if move is None else rules.TierMove(move[1], tier, move[0])
        if tier not in plans and (moved is None or moved.before not in plans):
            continue
        facts.append(
            (
                r.branch,
                rules.ClientFacts(
                    r.client_id,
                    tier,
                    r.rm if r.rm in staff else None,
                    bool(r.marketing_consent) and not r.consent_withdrawn,
                    tuple(maturities.get(r.client_id, ())),
                    ends.get(r.client_id),
                    contact.get(r.client_id),
                    business_date(r.registered_at),
                    r.birthday,
                    moved,
                ),
            )
        )
    return facts


def run_maintenance(uow: UnitOfWork, cmd: RunMaintenance) -> dict[str, Any]:
    """The calls the plans owe on the day; a second run creates nothing twice."""
    uow.actor.require("followups.manage", "run the tier service plans")
    on = _on(uow, cmd.on)
    plans = load_plans([t.code for t in tier_ladder(uow.conn).tiers])
    facts = _client_facts(uow, on, plans)
    branch = {f.client_id: b for b, f in facts}
    plan = rules.plan_calls(on, plans, [f for _b, f in facts])
    created: dict[str, int] = {}
    already = 0
    for call in plan.calls:
        if uow.stream_version(streams.followup(call.followup_id)):
            already += 1
            continue
        uow.record(
            MaintenanceCallPlanned(
                followup_id=call.followup_id,
                kind=call.kind,
                client_id=call.client_id,
                branch=branch[call.client_id],
                assignee=call.assignee,
                due=call.due,
                tier=call.tier,
                occasion=call.occasion,
            )
        )
        created[call.kind] = created.get(call.kind, 0) + 1
    return {
        "on": on.isoformat(),
        "pushes": [_push_json(p) for p in _pushes(plans, on)],
        "created": sum(created.values()),
        "by_kind": created,
        "already_there": already,
        "without_rm": plan.without_rm,
        "without_consent": plan.without_consent,
    }


def _pushes(plans: dict[str, rules.TierPlan], on: date) -> list[rules.PushDue]:
    return [p for p in (rules.push_due(plan, on) for plan in plans.values()) if p is not None]


def _push_json(push: rules.PushDue) -> dict[str, Any]:
    return {
        "tier": push.tier,
        "theme": push.theme,
        "theme_en": push.theme_en,
        "frequency": push.frequency,
        "due": push.due,
        "period": push.period,
        "next_due": push.next_due.isoformat(),
    }


def _push_sent(uow: UnitOfWork, push: rules.PushDue) -> datetime | None:
    """When this tier's push list for the period was last written, if it was."""
    sent = None
    for filters, at in uow.conn.execute(
        select(col(ExportRow.filters), col(ExportRow.at)).where(
            col(ExportRow.what) == "maintenance.sms"
        )
    ):
        found = json.loads(filters)
        if found.get("tier") == push.tier and found.get("period") == push.period:
            sent = at if sent is None else max(sent, at)
    return sent


def _check_due(uow: UnitOfWork, push: rules.PushDue, again: bool) -> None:
    what = f"the {push.tier} push ({push.theme}) is {push.frequency}"
    if not push.due:
        raise RuleRefused(
            f"{what} and not due in {push.period}; the next is due on "
            f"{push.next_due.isoformat()}: write it then (or pass --on that day)",
            "maintenance_push_not_due",
            tier=push.tier,
            theme=push.theme,
            theme_en=push.theme_en,
            frequency=push.frequency,
            period=push.period,
            next_due=push.next_due.isoformat(),
        )
    sent = _push_sent(uow, push)
    if sent is not None and not again:
        raise RuleRefused(
            f"{what} and its list for {push.period} was written on "
            f"{business_date(sent).isoformat()}; the next is due on "
            f"{push.next_due.isoformat()} (pass --again to write this one a second time)",
            "maintenance_push_sent",
            tier=push.tier,
            theme=push.theme,
            theme_en=push.theme_en,
            frequency=push.frequency,
            period=push.period,
            sent=business_date(sent).isoformat(),
            next_due=push.next_due.isoformat(),
        )


def export_tier_sms(uow: UnitOfWork, cmd: ExportTierSms) -> dict[str, Any]:
    """A tier's push list: (mobile, text) for its clients with consent who are reachable,
    once in each period of its cadence (a month, or a quarter's first month)."""
    actor = uow.actor
    actor.require("exports.run", "export personal data")
    actor.require("exports.unmasked", "export plain mobile numbers")
    if cmd.kind != "sms":
        raise BadInput(
            f"unknown kind {cmd.kind!r}; a tier's push list is sms",
            "maintenance_bad_kind",
            kind=cmd.kind,
        )
    ladder = tier_ladder(uow.conn)
    plans = load_plans([t.code for t in ladder.tiers])
    if cmd.tier not in [t.code for t in ladder.tiers]:
        raise NotFound(f"unknown tier {cmd.tier!r}", "maintenance_unknown_tier", tier=cmd.tier)
    plan = plans.get(cmd.tier)
    if plan is None or plan.sms is None:
        raise RuleRefused(
            f"the {cmd.tier} plan has no SMS push list; add `sms` to its entry in maintenance.toml",
            "maintenance_no_sms",
            tier=cmd.tier,
        )
    push = rules.push_due(plan, _on(uow, cmd.on))
    assert push is not None  # the plan has an sms cadence
    _check_due(uow, push, cmd.again)
    names = dict(uow.conn.execute(select(col(BranchRow.code), col(BranchRow.name))).all())
    experience = dict(
        uow.conn.execute(
            select(col(ClientPointsRow.client_id), col(ClientPointsRow.experience_tier)).where(
                col(ClientPointsRow.experience_tier).is_not(None)
            )
        ).all()
    )
    rows = []
    for r in uow.conn.execute(
        select(ClientRow)
        .where(
            col(ClientRow.marketing_consent).is_(True),
            col(ClientRow.consent_withdrawn).is_(False),
            col(ClientRow.contact_status) == "ok",
        )
        .order_by(col(ClientRow.client_id))
    ):
        tier = experience.get(r.client_id) or ladder.tier_for(Decimal(r.aum_cents) / 100).code
        if tier == cmd.tier:
            rows.append(
                (
                    r.mobile,
                    f"{r.name}您好，{names.get(r.branch, '')}{plan.sms_theme}已"
                    f"开放，详询您的客户经理。{OPT_OUT_LINE}",
                )
            )
    written = fill_wave_file(staged_file(uow, cmd.out).temp, "sms", rows)
    record_export_event(
        uow,
        PersonalDataExported(
            what="maintenance.sms",
            format="csv",
            rows=written,
            unmasked=True,
            filters={"tier": cmd.tier, "kind": "sms", "period": push.period},
            file=str(cmd.out),
        ),
    )
    return {
        "tier": cmd.tier,
        "kind": "sms",
        "file": str(cmd.out),
        "rows": written,
        **_push_json(push),
    }


HANDLERS: Handlers = {
    ImportHoldings: import_holdings,
    RunMaintenance: run_maintenance,
    ExportTierSms: export_tier_sms,
}
