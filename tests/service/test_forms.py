"""Registration forms through the handlers: submit, decide once, credit points with the
approval, return and resubmit, cancel with an exact reversal, the photo, bonuses."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.conftest import ADMIN
from tests.helpers import client_row, dump_read_tables
from upgradecamp.domain.commands import (
    AddStaff,
    ApproveForm,
    CancelForm,
    CheckIn,
    CloseSession,
    MarkPhotoTaken,
    OpenSession,
    PlanSessions,
    RedeemPoints,
    RegisterClients,
    RejectForm,
    ReturnForm,
    ReverseRedemption,
    SubmitForm,
)
from upgradecamp.domain.errors import (
    BadInput,
    NotFound,
    PermissionDenied,
    RuleRefused,
    Unsuitable,
    WrongPin,
)
from upgradecamp.domain.staff import Actor
from upgradecamp.projections.rebuild import rebuild
from upgradecamp.queries.forms import approval_queue, attendees, form_detail, my_forms
from upgradecamp.service.bus import bootstrap
from upgradecamp.store.db import read_transaction
from upgradecamp.store.tables import ClientPointsRow, LedgerEntryRow, StaffRow
from upgradecamp.store.tables.forms import FormRow

PIN = "246809"
ORG = Actor(code="org2", role="organizer", branch="B02", name="赵六")
DESK = Actor(code="ck2", role="checkin", branch="B02", name="钱七")
MK = Actor(code="mk2", role="marketer", branch="B02", name="王五")
MK3 = Actor(code="mk3", role="marketer", branch="B02", name="孙八")
HEAD = Actor(code="bh2", role="branch_head", branch="B02", name="周行长")
CORE_HEAD = Actor(code="bh1", role="branch_head", branch="B01", name="吴行长")
OTHER_HEAD = Actor(code="bh3", role="branch_head", branch="B03", name="郑行长")
SESSION = "B02-20261120-1500"  # the FakeClock's day, 15:00 Shanghai
F01 = f"{SESSION}-F01"
WORKED_EXAMPLE = (
    ("large_cd", "50000", "existing"),
    ("fund", "10000", "new"),
    ("insurance", "8000", "new"),
    ("credit_card", "1", "new"),
)


@pytest.fixture
def svc(services):
    for actor in (ORG, DESK, MK, MK3, HEAD, CORE_HEAD, OTHER_HEAD):
        services.execute(
            AddStaff(
                code=actor.code, name=actor.name, role=actor.role, branch=actor.branch, pin=PIN
            ),
            ADMIN,
        )
    services.execute(
        RegisterClients(
            clients=[
                client_row(1, aum="120000.00"),
                client_row(2, aum="180000.00"),
                client_row(3, aum="60000.00", risk_grade="C2"),
                client_row(4, aum="60000.00", risk_grade="C4", risk_expires="2026-10-31"),
                client_row(9, aum="300000.00"),
            ]
        ),
        ADMIN,
    )
    services.execute(PlanSessions(branch="B02", start="2026-11-20 15:00"), ORG)
    services.execute(OpenSession(session_id=SESSION), DESK)
    for n in (1, 2, 3, 4):
        services.execute(CheckIn(session_id=SESSION, client_id=f"C{n:06d}"), DESK)
    return services


def submit(
    svc,
    client="C000001",
    lines=WORKED_EXAMPLE,
    actions=("mobile_banking",),
    actor=MK,
    session=SESSION,
    **kw,
):
    return svc.execute(
        SubmitForm(
            session_id=session, client_id=client, lines=tuple(lines), actions=tuple(actions), **kw
        ),
        actor,
    )


def approve(svc, form=F01, actor=HEAD, pin=PIN):
    return svc.execute(ApproveForm(form_id=form, pin=pin), actor)


def form_row(svc, form=F01) -> dict:
    with read_transaction(svc.engine) as conn:
        return dict(conn.execute(select(FormRow).where(FormRow.form_id == form)).mappings().one())


def balance(svc, client) -> int:
    with read_transaction(svc.engine) as conn:
        row = conn.execute(
            select(ClientPointsRow).where(ClientPointsRow.client_id == client)
        ).first()
    return row.balance if row else 0


def ledger(svc, client) -> list:
    with read_transaction(svc.engine) as conn:
        return conn.execute(
            select(LedgerEntryRow)
            .where(LedgerEntryRow.client_id == client)
            .order_by(LedgerEntryRow.position, LedgerEntryRow.line)
        ).all()


def second_terminal(svc, name="desk-2"):
    return bootstrap(engine=svc.engine, clock=svc.clock, terminal=name)


def test_worked_example_submitted_on_site_and_approved_credits_1388(svc):
    form = submit(svc)
    assert form["form_id"] == F01 and form["status"] == "submitted" and form["on_site"]
    assert (form["points"], form["converted_delta"], form["tier_before"], form["tier_after"]) == (
        1388,
        "49000.00",
        "potential",
        "potential",
    )
    assert form["calculation"]["gap"] == "31000.00"
    assert form["submitted_at"] == "2026-11-20T10:00:00+08:00"
    assert balance(svc, "C000001") == 0  # nothing is credited before the branch head signs
    result = approve(svc)
    assert (result["points"], result["credit_key"], result["experience"]) == (
        1388,
        f"form:{F01}",
        None,
    )
    assert balance(svc, "C000001") == 1388
    assert [(e.item, e.points, e.reference) for e in ledger(svc, "C000001")] == [
        ("large_cd", 600, F01),
        ("fund", 180, F01),
        ("insurance", 288, F01),
        ("credit_card", 120, F01),
        ("mobile_banking", 200, F01),
    ]
    assert ledger(svc, "C000001")[1].formula == "floor(10000.00 × 1.5 × 1.2 / 100) = 180"
    row = form_row(svc)
    assert (row["status"], row["decided_by"], row["decided_terminal"], row["credit_key"]) == (
        "approved",
        "bh2",
        "test-terminal",
        f"form:{F01}",
    )
    assert row["lines"] == (
        '[{"product":"large_cd","value":"50000","source":"existing"},'
        '{"product":"fund","value":"10000","source":"new"},'
        '{"product":"insurance","value":"8000","source":"new"},'
        '{"product":"credit_card","value":"1","source":"new"}]'
    )


def test_after_the_session_closes_the_same_day_a_form_is_not_on_site(svc):
    svc.execute(CloseSession(session_id=SESSION), ORG)
    form = submit(svc, lines=[("fund", "10000", "new")], actions=())
    assert form["on_site"] is False and form["points"] == 150  # ×1.0, not ×1.2
    svc.clock.advance(days=1)
    with pytest.raises(RuleRefused) as err:
        submit(svc, client="C000002", lines=[("fund", "10000", "new")], actions=())
    assert err.value.code == "form_session_over"


def test_unsuitable_lines_are_refused_at_submit_and_nothing_is_recorded(svc):
    with pytest.raises(Unsuitable) as err:
        submit(
            svc, client="C000003", lines=[("time_deposit", "5000", "new"), ("fund", "10000", "new")]
        )
    assert err.value.code == "form_unsuitable_grade"
    assert err.value.params["line"] == 2 and err.value.params["grade"] == "C2"
    with pytest.raises(Unsuitable) as err:
        submit(svc, client="C000004", lines=[("gold", "1000", "new")], actions=())
    assert err.value.code == "form_unsuitable_expired"
    assert approval_queue(svc.engine) == []
    assert (
        submit(svc, client="C000003", lines=[("time_deposit", "5000", "new")], actions=())["points"]
        == 60
    )


def test_submission_checks(svc):
    with pytest.raises(RuleRefused) as err:
        submit(svc, client="C000009")
    assert err.value.code == "form_client_not_checked_in"
    with pytest.raises(NotFound) as err:
        submit(svc, client="C999999")
    assert err.value.code == "form_client_not_found"
    with pytest.raises(BadInput) as err:
        submit(svc, lines=(), actions=())
    assert err.value.code == "form_empty"
    with pytest.raises(BadInput, match="^line 2") as err:
        submit(svc, lines=[("fund", "100", "new"), ("bitcoin", "5", "new")])
    assert err.value.code == "unknown_product"
    with pytest.raises(PermissionDenied):
        submit(svc, actor=DESK)
    submit(svc)
    with pytest.raises(RuleRefused) as err:
        submit(svc)
    assert err.value.code == "form_pending_exists" and err.value.params["form"] == F01
    assert submit(svc, client="C000002")["form_id"] == f"{SESSION}-F02"


def test_return_resubmit_approve(svc):
    submit(svc, lines=[("fund", "100000", "new")], actions=())
    svc.execute(ReturnForm(form_id=F01, reason="amount is 10,000, not 100,000"), HEAD)
    mine = my_forms(svc.engine, "mk2")
    assert (mine[0].form_id, mine[0].status, mine[0].reason) == (
        F01,
        "returned",
        "amount is 10,000, not 100,000",
    )
    with pytest.raises(RuleRefused) as err:
        approve(svc)
    assert err.value.code == "form_already_decided"
    with pytest.raises(PermissionDenied) as err:
        submit(svc, lines=[("fund", "10000", "new")], actions=(), form_id=F01, actor=MK3)
    assert err.value.code == "form_not_yours"
    again = submit(svc, lines=[("fund", "10000", "new")], actions=(), form_id=F01)
    assert (again["form_id"], again["revision"], again["points"]) == (F01, 1, 180)
    row = form_row(svc)
    assert (row["status"], row["revision"], row["reason"], row["decided_by"]) == (
        "submitted",
        1,
        None,
        None,
    )
    assert approve(svc)["points"] == 180 and balance(svc, "C000001") == 180
    history = form_detail(svc.engine, F01).history
    assert [h["type"] for h in history] == [
        "FormSubmitted",
        "FormReturned",
        "FormSubmitted",
        "FormApproved",
    ]


def test_a_form_is_decided_once_even_from_another_terminal(svc):
    submit(svc)
    svc.clock.advance(hours=5, minutes=20)
    approve(svc)
    other = second_terminal(svc)
    for command in (
        ApproveForm(form_id=F01, pin=PIN),
        RejectForm(form_id=F01, reason="no"),
        ReturnForm(form_id=F01, reason="fix"),
    ):
        with pytest.raises(RuleRefused) as err:
            other.execute(command, CORE_HEAD)
        assert err.value.code == "form_already_decided"
        assert err.value.params == {
            "form": F01,
            "decision": "approved",
            "by": "bh2",
            "terminal": "test-terminal",
            "at": "2026-11-20 15:20",
        }
    assert balance(svc, "C000001") == 1388


def test_a_wrong_pin_refuses_the_approval_and_counts_a_failure(svc):
    submit(svc)
    with pytest.raises(WrongPin):
        approve(svc, pin="0000")
    with read_transaction(svc.engine) as conn:
        failures = conn.execute(
            select(StaffRow.failed_attempts).where(StaffRow.code == "bh2")
        ).scalar_one()
    assert failures == 1
    assert form_row(svc)["status"] == "submitted" and balance(svc, "C000001") == 0
    approve(svc)
    assert form_row(svc)["status"] == "approved"


def test_only_a_head_of_the_session_s_branch_or_the_core_branch_decides(svc):
    submit(svc)
    with pytest.raises(PermissionDenied) as err:
        approve(svc, actor=OTHER_HEAD)
    assert err.value.code == "form_wrong_branch"
    with pytest.raises(PermissionDenied) as err:
        svc.execute(RejectForm(form_id=F01, reason="no"), OTHER_HEAD)
    assert err.value.code == "form_wrong_branch"
    with pytest.raises(PermissionDenied):
        approve(svc, actor=MK)
    assert approve(svc, actor=CORE_HEAD)["points"] == 1388


def test_reject_needs_a_reason_and_is_final(svc):
    submit(svc)
    with pytest.raises(BadInput) as err:
        svc.execute(RejectForm(form_id=F01, reason=" "), HEAD)
    assert err.value.code == "form_reason_required"
    svc.execute(RejectForm(form_id=F01, reason="client changed their mind"), HEAD)
    assert form_row(svc)["status"] == "rejected"
    with pytest.raises(RuleRefused) as err:
        svc.execute(CancelForm(form_id=F01, reason="x"), MK)
    assert err.value.code == "form_already_decided"


def test_cancelling_an_approved_form_reverses_exactly_what_it_credited(svc):
    submit(svc, client="C000002", lines=[("fund", "20000", "new")], actions=())
    result = approve(svc)
    assert result["experience"] == "silver" and result["tier_after"] == "silver"
    assert balance(svc, "C000002") == 360
    with pytest.raises(PermissionDenied):
        svc.execute(CancelForm(form_id=F01, reason="client withdrew"), MK)
    cancelled = svc.execute(CancelForm(form_id=F01, reason="client withdrew"), HEAD)
    assert cancelled["was_approved"] and cancelled["points_reversed"] == 360
    assert balance(svc, "C000002") == 0
    assert sum(e.points for e in ledger(svc, "C000002")) == 0
    with read_transaction(svc.engine) as conn:
        account = conn.execute(
            select(ClientPointsRow).where(ClientPointsRow.client_id == "C000002")
        ).one()
    assert account.experience_tier is None and account.last_experience_outcome == "cancelled"
    assert form_row(svc)["status"] == "cancelled"
    with pytest.raises(RuleRefused) as err:
        svc.execute(CancelForm(form_id=F01, reason="again"), HEAD)
    assert err.value.code == "form_already_cancelled"


def test_experience_period_starts_when_the_tier_rises(svc):
    submit(svc, client="C000002", lines=[("fund", "20000", "new")], actions=())
    assert approve(svc)["experience"] == "silver"
    with read_transaction(svc.engine) as conn:
        account = conn.execute(
            select(ClientPointsRow).where(ClientPointsRow.client_id == "C000002")
        ).one()
    assert (account.experience_tier, str(account.experience_ends)) == ("silver", "2027-02-17")
    assert form_row(svc)["tier_after"] == "silver"


def test_a_pending_form_is_withdrawn_by_its_marketer_only(svc):
    submit(svc)
    with pytest.raises(PermissionDenied) as err:
        svc.execute(CancelForm(form_id=F01, reason="wrong client"), MK3)
    assert err.value.code == "form_cancel_not_marketer"
    result = svc.execute(CancelForm(form_id=F01, reason="wrong client"), MK)
    assert result == {
        "form_id": F01,
        "status": "cancelled",
        "reason": "wrong client",
        "was_approved": False,
        "points_reversed": 0,
        "bonuses_reversed": [],
    }
    assert approval_queue(svc.engine) == []
    assert submit(svc)["form_id"] == f"{SESSION}-F02"  # no longer pending: a new form


def test_the_photo_is_marked_once(svc):
    submit(svc)
    with pytest.raises(RuleRefused) as err:
        svc.execute(MarkPhotoTaken(form_id=F01), HEAD)
    assert err.value.code == "form_not_approved"
    approve(svc)
    with pytest.raises(PermissionDenied):
        svc.execute(MarkPhotoTaken(form_id=F01), OTHER_HEAD)
    svc.clock.advance(hours=5, minutes=30)
    svc.execute(MarkPhotoTaken(form_id=F01), HEAD)
    with pytest.raises(RuleRefused, match="at 2026-11-20 15:30") as err:
        svc.execute(MarkPhotoTaken(form_id=F01), MK)
    assert err.value.code == "form_photo_already"
    assert form_row(svc)["photo_taken"] is True


def test_an_appointment_booked_at_a_session_pays_its_bonus_once_when_fulfilled(svc):
    booked = submit(svc, lines=(), actions=(), appointment="2026-11-27")
    assert booked["points"] == 0
    result = approve(svc)
    assert (result["points"], result["credit_key"], result["bonuses"]) == (0, None, [])
    assert balance(svc, "C000001") == 0
    later = "B02-20261127-1500"
    svc.execute(PlanSessions(branch="B02", start="2026-11-27 15:00"), ORG)
    svc.clock.advance(days=7)
    svc.execute(OpenSession(session_id=later), DESK)
    svc.execute(CheckIn(session_id=later, client_id="C000001"), DESK)
    submit(svc, session=later, lines=[("time_deposit", "10000", "new")], actions=())
    fulfilled = approve(svc, form=f"{later}-F01")
    assert fulfilled["bonuses"] == [
        {"kind": "appointment_bonus", "client_id": "C000001", "reference": F01, "points": 300}
    ]
    assert balance(svc, "C000001") == 120 + 300
    submit(svc, session=later, lines=[("time_deposit", "10000", "new")], actions=())
    assert approve(svc, form=f"{later}-F02")["bonuses"] == []
    assert balance(svc, "C000001") == 120 + 300 + 120


def test_the_referrer_is_rewarded_once_for_the_first_approved_form(svc):
    svc.execute(CheckIn(session_id=SESSION, client_id="C000009"), DESK)
    walk_in = client_row(11, aum="50000.00")
    svc.execute(RegisterClients(clients=[walk_in]), ADMIN)
    svc.execute(CheckIn(session_id=SESSION, client_id="C000011", referred_by="C000009"), DESK)
    assert balance(svc, "C000009") == 500  # the check-in reward (a policy of check-in)
    submit(svc, client="C000011", lines=[("time_deposit", "10000", "new")], actions=())
    result = approve(svc)
    assert result["bonuses"] == [
        {
            "kind": "referral_approval",
            "client_id": "C000009",
            "reference": "C000011",
            "points": 1000,
        }
    ]
    assert balance(svc, "C000009") == 1500
    submit(svc, client="C000011", lines=[("time_deposit", "10000", "new")], actions=())
    assert approve(svc, form=f"{SESSION}-F02")["bonuses"] == []
    assert balance(svc, "C000009") == 1500


def test_cancelling_the_fulfilling_form_takes_back_the_appointment_bonus_too(svc):
    submit(svc, lines=(), actions=(), appointment="2026-11-27")
    approve(svc)
    later = "B02-20261127-1500"
    svc.execute(PlanSessions(branch="B02", start="2026-11-27 15:00"), ORG)
    svc.clock.advance(days=7)
    svc.execute(OpenSession(session_id=later), DESK)
    svc.execute(CheckIn(session_id=later, client_id="C000001"), DESK)
    submit(svc, session=later, lines=[("time_deposit", "10000", "new")], actions=())
    approve(svc, form=f"{later}-F01")
    assert balance(svc, "C000001") == 120 + 300
    cancelled = svc.execute(CancelForm(form_id=f"{later}-F01", reason="client withdrew"), HEAD)
    assert (cancelled["points_reversed"], cancelled["bonuses_reversed"]) == (
        120,
        [{"client_id": "C000001", "credit_key": f"appointment_bonus:{F01}", "points": 300}],
    )
    assert balance(svc, "C000001") == 0
    assert sum(e.points for e in ledger(svc, "C000001")) == 0


def test_cancelling_the_first_approved_form_takes_back_the_referrers_reward(svc):
    svc.execute(CheckIn(session_id=SESSION, client_id="C000009"), DESK)
    svc.execute(RegisterClients(clients=[client_row(11, aum="50000.00")]), ADMIN)
    svc.execute(CheckIn(session_id=SESSION, client_id="C000011", referred_by="C000009"), DESK)
    submit(svc, client="C000011", lines=[("time_deposit", "10000", "new")], actions=())
    approve(svc)
    assert balance(svc, "C000009") == 1500
    cancelled = svc.execute(CancelForm(form_id=F01, reason="wrong client"), HEAD)
    assert cancelled["bonuses_reversed"] == [
        {"client_id": "C000009", "credit_key": "referral_approval:C000011", "points": 1000}
    ]
    assert balance(svc, "C000009") == 500  # the check-in reward stands: the visit happened
    assert balance(svc, "C000011") == 0
    live = dump_read_tables(svc.engine)
    rebuild(svc.engine, svc.log)
    assert dump_read_tables(svc.engine) == live


def test_points_spent_on_rewards_are_given_back_before_the_form_is_cancelled(svc):
    submit(svc)
    approve(svc)
    svc.execute(RedeemPoints(client_id="C000001", reward="film_night"), MK)  # 800 of 1,388
    with pytest.raises(RuleRefused) as err:
        svc.execute(CancelForm(form_id=F01, reason="client withdrew"), HEAD)
    assert err.value.code == "points_would_go_negative"
    assert "reverse C000001-R01 first" in str(err.value)
    assert form_row(svc)["status"] == "approved" and balance(svc, "C000001") == 588
    svc.execute(ReverseRedemption(redemption_id="C000001-R01", reason="form cancelled"), HEAD)
    svc.execute(CancelForm(form_id=F01, reason="client withdrew"), HEAD)
    assert balance(svc, "C000001") == 0


def test_queries_for_the_desks(svc):
    submit(svc)
    svc.clock.advance(minutes=3)
    submit(svc, client="C000002", lines=[("fund", "20000", "new")], actions=(), actor=MK3)
    queue = approval_queue(svc.engine)
    assert [q.form_id for q in queue] == [F01, f"{SESSION}-F02"]
    assert queue[0].mobile == "138****0001" and queue[0].client_name == "张三"
    assert (queue[0].marketer_name, queue[0].points, queue[0].branch) == ("王五", 1388, "B02")
    assert queue[1].submitted_at == "2026-11-20T10:03:00+08:00"
    assert approval_queue(svc.engine, branch="B03") == []
    detail = form_detail(svc.engine, f"{SESSION}-F02")
    assert (detail.tier_before, detail.tier_after, detail.tier_rises) == (
        "potential",
        "silver",
        True,
    )
    line = detail.calculation["lines"][0]
    assert (line["coefficient"], line["multiplier"], line["converted_delta"], line["points"]) == (
        "1.5",
        "1.2",
        "30000.00",
        360,
    )
    assert form_detail(svc.engine, "nope") is None
    people = {a["client_id"]: a for a in attendees(svc.engine, SESSION)}
    assert set(people) == {"C000001", "C000002", "C000003", "C000004"}
    assert people["C000001"]["has_form"] and not people["C000003"]["has_form"]
    assert people["C000001"]["mobile"] == "138****0001"
    assert people["C000001"]["tier"] == "potential"


def test_replay_rebuilds_the_forms_table_row_for_row(svc):
    submit(svc)
    svc.execute(ReturnForm(form_id=F01, reason="fix"), HEAD)
    submit(svc, form_id=F01)
    approve(svc)
    svc.execute(MarkPhotoTaken(form_id=F01), HEAD)
    submit(svc, client="C000002", lines=[("fund", "20000", "new")], actions=())
    approve(svc, form=f"{SESSION}-F02")
    svc.execute(CancelForm(form_id=f"{SESSION}-F02", reason="withdrew"), HEAD)
    live = dump_read_tables(svc.engine)
    assert len(live["forms"]) == 2
    rebuild(svc.engine, svc.log)
    assert dump_read_tables(svc.engine) == live


def _interleaved(svc, command_class, meanwhile):
    """A second terminal whose first attempt runs `meanwhile` (another terminal's command)
    after reading and before writing: the race two desks run at the same moment, on SQLite
    as on PostgreSQL (a command decides before it takes the write lock).
    """
    other = second_terminal(svc)
    real = other.handlers[command_class]
    calls = []

    def racing(uow, cmd):
        result = real(uow, cmd)
        if not calls:
            calls.append(1)
            meanwhile()
        return result

    other.handlers[command_class] = racing
    return other


def test_two_desks_deciding_the_same_form_at_once_one_is_told_who_won(svc):
    submit(svc)
    other = _interleaved(svc, RejectForm, lambda: approve(svc))
    with pytest.raises(RuleRefused) as err:
        other.execute(RejectForm(form_id=F01, reason="no"), CORE_HEAD)
    assert err.value.code == "form_already_decided" and err.value.params["by"] == "bh2"
    assert form_row(svc)["status"] == "approved" and balance(svc, "C000001") == 1388


def test_two_desks_submitting_at_once_get_the_next_form_numbers(svc):
    other = _interleaved(svc, SubmitForm, lambda: submit(svc, client="C000002"))
    assert submit(other)["form_id"] == f"{SESSION}-F02"
    assert form_row(svc, f"{SESSION}-F01")["client_id"] == "C000002"
