"""Surname and title only (王先生/女士), and the agenda on its clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from upgradecamp.domain.agenda import BEFORE, OVER, RUNNING, agenda, agenda_now, minute_marks
from upgradecamp.domain.salutation import salutation, surname


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("王小明", "王先生/女士"),
        ("张三", "张先生/女士"),
        ("欧阳娜娜", "欧阳先生/女士"),
        ("司马光", "司马先生/女士"),
        ("欧阳", "欧先生/女士"),  # two characters: 欧 the surname, 阳 the given name
        (" 李 四 ", "李先生/女士"),
        ("John Smith", "贵宾"),
        ("王A", "贵宾"),
        ("", "贵宾"),
        ("王", "贵宾"),
    ],
)
def test_a_client_is_greeted_by_surname_and_a_neutral_title(name, expected):
    assert salutation(name) == expected


def test_no_part_of_the_given_name_shows():
    assert surname("王小明") == "王"
    assert "小" not in salutation("王小明") and "明" not in salutation("王小明")


def test_the_forty_minute_agenda_has_its_four_steps_and_marks():
    steps = agenda(40)
    assert [(s.code, s.start, s.end) for s in steps] == [
        ("sign_in", 0, 5),
        ("opening", 5, 15),
        ("plan", 15, 30),
        ("registration", 30, 40),
    ]
    assert [s.name_zh for s in steps] == [
        "客户签到",
        "开场与破冰",
        "升级方案介绍",
        "现场登记与行长审批",
    ]
    assert minute_marks(40) == [0, 5, 10, 15, 20, 25, 30, 35, 40]


@pytest.mark.parametrize("duration", [10, 25, 40, 45, 60])
def test_a_longer_or_shorter_session_keeps_the_proportions_and_adds_up(duration):
    steps = agenda(duration)
    assert steps[0].start == 0 and steps[-1].end == duration
    assert all(a.end == b.start for a, b in zip(steps, steps[1:], strict=False))
    assert all(s.end > s.start for s in steps)


START = datetime(2026, 11, 20, 7, 0, tzinfo=UTC)  # 15:00 in Beijing


def test_before_the_start_it_counts_down_rounding_up():
    now = agenda_now(START, 40, START - timedelta(minutes=9, seconds=30))
    assert (now.phase, now.to_start, now.step) == (BEFORE, 10, None)


@pytest.mark.parametrize(
    ("minutes", "step", "step_left", "session_left"),
    [
        (0, "sign_in", 5, 40),
        (4.5, "sign_in", 1, 36),
        (5, "opening", 10, 35),
        (29, "plan", 1, 11),
        (39.9, "registration", 1, 1),
    ],
)
def test_during_the_session_it_names_the_step_and_the_minutes_left(
    minutes, step, step_left, session_left
):
    now = agenda_now(START, 40, START + timedelta(minutes=minutes))
    assert now.phase == RUNNING
    assert (now.step.code, now.step_left, now.session_left) == (step, step_left, session_left)


def test_after_the_end_it_is_over():
    assert agenda_now(START, 40, START + timedelta(minutes=40)).phase == OVER
