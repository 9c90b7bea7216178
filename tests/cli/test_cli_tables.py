"""CLI tables print a header row and line their columns up by cell width: a two-character
Chinese name takes four cells, so it must not shift the columns after it."""

from __future__ import annotations

from rich.cells import cell_len

from tests.cli.test_cli_invites import ADMIN, db, run, runner  # noqa: F401 - the fixture
from upgradecamp.cli import app
from upgradecamp.domain.commands import AddStaff
from upgradecamp.service.bus import bootstrap


def cells(line: str) -> list[str]:
    """A line as its terminal cells (a wide character and an empty cell after it)."""
    out: list[str] = []
    for char in line:
        out += [char] + [""] * (cell_len(char) - 1)
    return out


def starts(header: str, labels: list[str]) -> list[int]:
    """The cell where each column's label starts in the header line."""
    found, x = [], 0
    for label in labels:
        x = header.index(label, x)
        found.append(cell_len(header[:x]))
        x += len(label)
    return found


def assert_aligned(lines: list[str], labels: list[str], left: list[str]) -> None:
    """Each column's text stays between its boundaries; the `left` columns start at their
    label."""
    header, *rows = lines
    assert rows, lines
    columns = starts(header, labels)
    for row in rows:
        grid = cells(row)
        for label, start in zip(labels, columns, strict=True):
            if start and start < len(grid):
                assert grid[start - 1] == " ", f"{label!r} is crossed in {row!r}"
            if label in left and start < len(grid):
                assert grid[start] not in (" ", ""), f"{label!r} does not start at {start}: {row!r}"


def test_invites_list_has_a_header_and_columns_that_line_up(db):  # noqa: F811
    path, far, _ = db
    assert run(path, "build", far).exit_code == 0
    listed = run(path, "list", far, who="mk1")
    assert listed.exit_code == 0, listed.output
    lines = listed.stdout.splitlines()
    assert lines[0].split()[:4] == ["invitation", "code", "client", "name"]
    names = {line.split()[3] for line in lines[1:]}
    assert {"张三", "李四"} & names  # two-character Chinese names: four cells each
    assert_aligned(lines, ["invitation", "code", "client", "name", "mobile", "segment"], ["name"])


def test_staff_list_lines_up_chinese_and_latin_names(db):  # noqa: F811
    path, _, _ = db
    services = bootstrap(path)
    services.execute(
        AddStaff(code="mk9", name="Li Lei", role="marketer", branch="B02", pin="123409"), ADMIN
    )
    services.execute(
        AddStaff(code="mk8", name="王芳", role="marketer", branch="B03", pin="123409"), ADMIN
    )
    services.engine.dispose()
    listed = runner.invoke(app, ["staff", "list", "--db", path])
    assert listed.exit_code == 0, listed.output
    lines = listed.stdout.splitlines()
    assert lines[0].split() == ["code", "branch", "role", "name", "state"]
    assert any("Li Lei" in line for line in lines) and any("王芳" in line for line in lines)
    assert_aligned(lines, ["code", "branch", "role", "name", "state"], ["code", "name", "state"])


def test_rewards_catalogue_has_a_header(db):  # noqa: F811
    path, _, _ = db
    listed = runner.invoke(app, ["points", "rewards", "--db", path, "--as", "org1"])
    assert listed.exit_code == 0, listed.output
    lines = listed.stdout.splitlines()
    assert lines[0].split() == ["reward", "kind", "points", "left", "name"]
    # points and left are right-aligned: their labels end where their cells end
    assert_aligned(lines, ["reward", "kind", "name"], ["reward", "name"])


def test_checkin_search_lines_up_chinese_names_beside_latin_states(db):  # noqa: F811
    path, far, _ = db
    assert run(path, "build", far).exit_code == 0
    found = runner.invoke(app, ["checkin", "search", far, "zs", "--db", path, "--as", "org1"])
    assert found.exit_code == 0, found.output
    lines = found.stdout.splitlines()
    labels = ["client", "name", "mobile", "tier", "invitation"]
    assert lines[0].split()[:5] == labels
    assert {line.split()[1] for line in lines[1:]} == {"张三"}  # four cells, then ASCII
    assert len({line.split()[4] for line in lines[1:]}) > 1  # invited and not: both widths
    assert_aligned(lines, labels, labels)


def test_sessions_list_prints_its_header_in_the_command_s_language(db):  # noqa: F811
    path, far, near = db
    english = runner.invoke(app, ["--lang", "en", "sessions", "list", "--db", path])
    chinese = runner.invoke(app, ["--lang", "zh_CN", "sessions", "list", "--db", path])
    assert english.exit_code == chinese.exit_code == 0, english.output + chinese.output
    en_lines, zh_lines = english.stdout.splitlines(), chinese.stdout.splitlines()
    assert en_lines[0].split()[:6] == ["session", "date", "time", "venue", "theme", "status"]
    assert zh_lines[0].split()[:6] == ["场次", "日期", "时间", "地点", "主题", "状态"]
    assert [line.split()[0] for line in en_lines[1:]] == [near, far]
    assert "计划中" in zh_lines[1] and "planned" in en_lines[1]
    assert_aligned(zh_lines, ["场次", "日期", "时间", "地点", "主题"], ["场次", "地点", "主题"])
