"""Invite lists: exclusions, order, mix, targets, check-in codes, outcome rules, SMS text."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from upgradecamp.domain.errors import BadInput, RuleRefused
from upgradecamp.domain.invitations import (
    CODE_ALPHABET,
    NO_UPPER_BOUND,
    OPT_OUT_LINE,
    REASONS,
    SEGMENT_BANDS,
    Candidate,
    Exclusions,
    check_mix,
    check_outcome,
    invite_target,
    looks_like_code,
    mix_span,
    new_code,
    normalise_code,
    outcome_changes,
    parse_mix,
    select_invitees,
    sms_text,
    split_target,
)


def cand(
    n: int, aum: int = 100_000, branch: str = "B02", segment: str | None = None, **kw
) -> Candidate:
    segment = segment or ("potential" if aum < 200_000 else "mid_high")
    return Candidate(client_id=f"C{n:03d}", branch=branch, aum=Decimal(aum), segment=segment, **kw)


# --- codes --------------------------------------------------------------------------------


def test_alphabet_has_no_look_alikes():
    for ch in "0O1IL2Z5S8B":
        assert ch not in CODE_ALPHABET
    assert len(set(CODE_ALPHABET)) == len(CODE_ALPHABET) == 25


def test_codes_are_six_symbols_of_the_alphabet_and_avoid_taken_ones():
    rng = random.Random(7)
    taken: set[str] = set()
    for _ in range(2000):
        code = new_code(rng, taken)
        assert len(code) == 6 and set(code) <= set(CODE_ALPHABET)
        assert code not in taken
        taken.add(code)


def test_a_taken_code_is_drawn_again():
    first = new_code(random.Random(1), set())
    again = new_code(random.Random(1), {first})
    assert again != first


def test_code_normalising():
    assert normalise_code(" ack-34x ") == "ACK34X"
    assert looks_like_code("ack 34x")
    assert not looks_like_code("ACK340")  # 0 is never used
    assert not looks_like_code("ACK34")


# --- targets and mix ----------------------------------------------------------------------


def test_target_rounds_up_and_tops_up():
    assert invite_target(10, Decimal("1.5"), 0) == 15
    assert invite_target(7, Decimal("1.5"), 0) == 11  # 10.5 → 11
    assert invite_target(10, Decimal("1.5"), 12) == 3
    assert invite_target(10, Decimal("1.5"), 20) == 0


def test_split_by_largest_remainder():
    assert split_target(15, {"potential": 2, "mid_high": 1}) == {"potential": 10, "mid_high": 5}
    assert split_target(4, {"potential": 2, "mid_high": 1}) == {"potential": 3, "mid_high": 1}
    assert split_target(5, {"potential": 1, "mid_high": 1}) == {"potential": 3, "mid_high": 2}
    assert sum(split_target(17, {"potential": 3, "mid_high": 2, "private": 1}).values()) == 17


def test_parse_and_check_mix():
    assert parse_mix("2:1") == {"potential": 2, "mid_high": 1}
    assert parse_mix("potential=3, mid_high=1") == {"potential": 3, "mid_high": 1}
    assert check_mix({"potential": 1, "mid_high": 0}) == {"potential": 1}
    for bad in ("2", "a:b", "vip=2", "0:0"):
        with pytest.raises(BadInput):
            parse_mix(bad)
    with pytest.raises(BadInput):
        check_mix({"potential": -1})


def test_segment_bands_agree_with_segment_for():
    from upgradecamp.domain.tiers import SEGMENTS, segment_for

    assert tuple(SEGMENT_BANDS) == SEGMENTS
    for segment, (low, high) in SEGMENT_BANDS.items():
        assert segment_for(low) == segment
        if high is not None:
            assert segment_for(high - Decimal("0.01")) == segment
            assert segment_for(high) != segment


def test_mix_span():
    assert mix_span({"potential": 2, "mid_high": 1}) == (Decimal(50_000), Decimal(8_000_000))
    assert mix_span({"potential": 1}) == (Decimal(50_000), Decimal(200_000))
    assert mix_span({"mid_high": 1, "private": 1}) == (Decimal(200_000), NO_UPPER_BOUND)


# --- selection ----------------------------------------------------------------------------


def test_order_is_own_branch_then_aum_then_id():
    cands = [
        cand(1, 150_000, "B03"),
        cand(2, 90_000),
        cand(3, 120_000),
        cand(4, 120_000),
        cand(5, 199_000, "B05"),
    ]
    sel = select_invitees(cands, Exclusions(), target=4, home_branch="B02")
    assert [c.client_id for c in sel.chosen] == ["C003", "C004", "C002", "C005"]
    assert sel.notes == []


def test_other_branches_fill_when_the_home_branch_runs_out():
    cands = [cand(1, branch="B03"), cand(2, branch="B04")]
    sel = select_invitees(cands, Exclusions(), target=2, home_branch="B02")
    assert {c.client_id for c in sel.chosen} == {"C001", "C002"}


@pytest.mark.parametrize("reason", REASONS)
def test_each_exclusion_keeps_out_a_client_who_would_be_chosen(reason):
    best = cand(1, 190_000)  # first in order: chosen unless excluded
    others = [cand(n, 60_000 + n) for n in range(2, 6)]
    plain = select_invitees([best, *others], Exclusions(), target=2, home_branch="B02")
    assert best in plain.chosen

    facts = Exclusions()
    if reason == "no_consent":
        best = cand(1, 190_000, consent=False)
    elif reason == "unreachable":
        best = cand(1, 190_000, unreachable=True)
    else:
        facts = Exclusions(**{reason: frozenset({"C001"})})
    sel = select_invitees([best, *others], facts, target=2, home_branch="B02")
    assert "C001" not in {c.client_id for c in sel.chosen}
    assert len(sel.chosen) == 2
    assert sel.excluded_counts() == {reason: 1}
    assert [c.client_id for c in sel.excluded[reason]] == ["C001"]


def test_a_client_is_counted_once_under_the_first_reason():
    c = cand(1, consent=False, unreachable=True)
    sel = select_invitees(
        [c], Exclusions(invited_elsewhere=frozenset({"C001"})), target=1, home_branch="B02"
    )
    assert sel.excluded_counts() == {"no_consent": 1}
    assert sel.chosen == [] and sel.notes == ["only 0 eligible client(s) for a target of 1"]


def test_mix_draws_each_segment_from_its_own_candidates():
    potential = [cand(n, 100_000 + n) for n in range(1, 20)]
    mid_high = [cand(n, 300_000 + n) for n in range(20, 30)]
    private = [cand(30, 9_000_000, segment="private")]
    sel = select_invitees(
        [*potential, *mid_high, *private],
        Exclusions(),
        target=15,
        home_branch="B02",
        mix={"potential": 2, "mid_high": 1},
    )
    assert sel.by_segment() == {"potential": 10, "mid_high": 5}
    assert sel.wanted == {"potential": 10, "mid_high": 5}
    # the richest of each segment, not the richest overall
    assert {c.client_id for c in sel.chosen if c.segment == "mid_high"} == {
        f"C{n:03d}" for n in range(25, 30)
    }
    assert sel.notes == []


def test_a_short_segment_is_filled_from_the_others_with_a_note():
    potential = [cand(n, 100_000 + n) for n in range(1, 20)]
    mid_high = [cand(20, 300_000), cand(21, 400_000)]
    sel = select_invitees(
        [*potential, *mid_high],
        Exclusions(),
        target=15,
        home_branch="B02",
        mix={"potential": 2, "mid_high": 1},
    )
    assert sel.by_segment() == {"potential": 13, "mid_high": 2}
    assert sel.notes == ["mid_high: 2 eligible of 5 wanted", "3 place(s) filled from potential"]


def test_without_a_mix_the_range_alone_decides():
    cands = [cand(1, 300_000), cand(2, 60_000)]
    sel = select_invitees(cands, Exclusions(), target=2, home_branch="B02")
    assert sel.by_segment() == {"mid_high": 1, "potential": 1}


def test_exclusions_apply_inside_the_mix():
    mid_high = [cand(20, 300_000, consent=False), cand(21, 400_000)]
    potential = [cand(n, 100_000 + n) for n in range(1, 5)]
    sel = select_invitees(
        [*mid_high, *potential],
        Exclusions(),
        target=3,
        home_branch="B02",
        mix={"potential": 2, "mid_high": 1},
    )
    assert sel.by_segment() == {"mid_high": 1, "potential": 2}
    assert sel.excluded_counts() == {"no_consent": 1}


# --- outcomes -----------------------------------------------------------------------------


def row(state="invited", **kw):
    return {
        "state": state,
        "calls": 0,
        "sms_sent": False,
        "wechat_added": False,
        "to_tell": False,
        **kw,
    }


def test_each_channel_allows_its_results_and_says_which():
    check_outcome("sms", "sent", "planned")
    check_outcome("call", "confirmed", "open")
    check_outcome("wechat", "added", "planned")
    with pytest.raises(BadInput) as err:
        check_outcome("sms", "confirmed", "planned")
    assert "sent, opted_out" in str(err.value)
    with pytest.raises(BadInput):
        check_outcome("fax", "sent", "planned")


def test_informed_only_for_cancelled_sessions_and_closed_sessions_take_client_facts():
    with pytest.raises(RuleRefused):
        check_outcome("call", "informed", "planned")
    check_outcome("call", "informed", "cancelled")
    with pytest.raises(RuleRefused):
        check_outcome("call", "confirmed", "cancelled")
    check_outcome("call", "wrong_number", "closed")
    with pytest.raises(RuleRefused):
        check_outcome("sms", "sent", "closed")


def test_outcome_changes():
    assert outcome_changes(row(), "sms", "sent") == {"state": "sent", "sms_sent": True}
    assert outcome_changes(row("confirmed"), "sms", "sent")["state"] == "confirmed"
    assert outcome_changes(row("sent"), "call", "confirmed") == {"state": "confirmed", "calls": 1}
    assert outcome_changes(row("no_answer", calls=2), "call", "call_back")["calls"] == 3
    assert outcome_changes(row("confirmed"), "wechat", "added") == {
        "state": "confirmed",
        "wechat_added": True,
    }
    informed = outcome_changes(row("confirmed", to_tell=True), "call", "informed")
    assert informed == {"state": "confirmed", "to_tell": False, "calls": 1}
    assert outcome_changes(row(), "sms", "opted_out")["state"] == "opted_out"


# --- SMS ----------------------------------------------------------------------------------


def test_sms_text_has_every_field_and_ends_with_the_opt_out_line():
    text = sms_text(
        name="张三",
        starts_at=datetime(2026, 12, 22, 7, 0, tzinfo=UTC),
        branch="城东支行幸福路网点",
        venue="贵宾室",
        theme="小小银行家",
        code="ACD349",
    )
    assert text == (
        "尊敬的张三，诚邀您参加12月22日（周二） 15:00在城东支行幸福路网点贵宾室举办的"
        "财富升级会（小小银行家），签到码ACD349。拒收请回复R"
    )
    no_theme = sms_text(
        name="李四",
        starts_at=datetime(2026, 12, 22, 7, 0, tzinfo=UTC),
        branch="B",
        venue="V",
        theme="",
        code="ACD349",
    )
    assert "（）" not in no_theme


def test_a_template_without_the_opt_out_line_gets_it():
    text = sms_text(
        name="张三",
        starts_at=datetime(2026, 12, 22, 7, tzinfo=UTC),
        branch="B",
        venue="V",
        theme="",
        code="ACD349",
        template="{name}您好，签到码{code}。",
    )
    assert text.endswith(OPT_OUT_LINE)
    with pytest.raises(BadInput):
        sms_text(
            name="x",
            starts_at=datetime(2026, 12, 22, tzinfo=UTC),
            branch="B",
            venue="V",
            theme="",
            code="C",
            template="{nom}",
        )
