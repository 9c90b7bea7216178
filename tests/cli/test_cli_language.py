"""One language at a time at the command line: --lang, else UPGRADECAMP_LANG, else LANG, and
every error raised with a code said through the one catalogue in that language."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.cli.test_cli_forms import db as forms_db  # noqa: F401  (a session open, clients in)
from upgradecamp import i18n
from upgradecamp.cli import app, command_name
from upgradecamp.domain import errors

runner = CliRunner()
SRC = Path(i18n.__file__).resolve().parent
CJK = re.compile(r"[\u4e00-\u9fff]")
ERROR_CLASSES = {name for name, value in vars(errors).items() if isinstance(value, type)} | {
    "ServicesUnavailable",
    "DatabaseUnusable",
}


@pytest.fixture
def db(tmp_path, monkeypatch):
    path = str(tmp_path / "lang.db")
    monkeypatch.setenv("UPGRADECAMP_PIN", "246810")
    assert runner.invoke(app, ["init", "--admin", "admin1", "--db", path]).exit_code == 0
    monkeypatch.setenv("UPGRADECAMP_NEW_PIN", "246810")
    added = runner.invoke(
        app,
        ["staff", "add", "mk1", "--name", "张三", "--role", "marketer", "--branch", "B02"]
        + ["--db", path, "--as", "admin1"],
    )
    assert added.exit_code == 0, added.output
    return path


def codes_raised_in_src() -> dict[str, str]:
    """Every literal code a DomainError is raised with in src: code → where."""
    found: dict[str, str] = {}
    for path in SRC.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            if name not in ERROR_CLASSES:
                continue
            given = [kw.value for kw in node.keywords if kw.arg == "code"] + node.args[1:2]
            for value in given:
                if isinstance(value, ast.Constant) and isinstance(value.value, str):
                    found[value.value] = f"{path.relative_to(SRC)}:{node.lineno}"
    return found


def test_every_error_code_raised_in_src_is_said_in_both_languages():
    codes = codes_raised_in_src()
    assert len(codes) > 100  # the scan still finds them
    for lang in i18n.LANGUAGES:
        cat = i18n.catalogue(lang)
        missing = {c: where for c, where in codes.items() if f"error.{c}" not in cat}
        assert missing == {}, f"{lang}: no error.<code> text for {missing}"


@pytest.mark.parametrize(
    ("args", "en", "zh"),
    [
        (["sessions", "show", "NOPE"], "error: no session", "错误：没有场次“NOPE”"),
        (["checkin", "NOPE", "--code", "X"], "may not check clients in", "无权办理签到"),
        (["clients", "show", "C404"], "no client has the id 'C404'", "没有客户“C404”"),
    ],
)
def test_representative_errors_print_in_the_chosen_language(db, monkeypatch, args, en, zh):
    monkeypatch.setenv("UPGRADECAMP_PIN", "246810")
    base = [*args, "--db", db, "--as", "mk1"]
    english = runner.invoke(app, ["--lang", "en", *base])
    chinese = runner.invoke(app, ["--lang", "zh_CN", *base])
    assert english.exit_code == chinese.exit_code != 0
    assert en in english.stderr and not CJK.search(english.stderr.replace("张三", ""))
    assert zh in chinese.stderr


def test_the_language_follows_lang_then_upgradecamp_lang_then_lang(db, monkeypatch):
    args = ["sessions", "show", "NOPE", "--db", db, "--as", "mk1"]
    monkeypatch.setenv("UPGRADECAMP_PIN", "246810")
    monkeypatch.delenv("UPGRADECAMP_LANG")
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    assert runner.invoke(app, args).stderr.startswith("错误：")
    monkeypatch.setenv("UPGRADECAMP_LANG", "en")
    assert runner.invoke(app, args).stderr.startswith("error: ")
    assert runner.invoke(app, ["--lang", "zh_CN", *args]).stderr.startswith("错误：")
    monkeypatch.setenv("LANG", "C.UTF-8")
    monkeypatch.delenv("UPGRADECAMP_LANG")
    assert runner.invoke(app, args).stderr.startswith("error: ")


def test_the_cli_s_own_refusals_follow_the_language(db, monkeypatch):
    monkeypatch.delenv("UPGRADECAMP_AS", raising=False)
    args = ["sessions", "close", "NOPE", "--db", db]
    assert "pass --as CODE" in runner.invoke(app, ["--lang", "en", *args]).stderr
    assert "此命令需要经办员工" in runner.invoke(app, ["--lang", "zh_CN", *args]).stderr


def test_the_command_is_found_past_a_leading_lang():
    assert command_name(["--lang", "en", "calc", "--aum", "1"]) == "calc"
    assert command_name(["--lang=zh_CN", "report"]) == "report"
    assert command_name(["calc"]) == "calc"
    assert command_name([]) is None


def test_a_table_header_is_in_the_command_s_language(db):
    english = runner.invoke(app, ["--lang", "en", "staff", "list", "--db", db])
    chinese = runner.invoke(app, ["--lang", "zh_CN", "staff", "list", "--db", db])
    assert english.exit_code == chinese.exit_code == 0, english.output + chinese.output
    assert english.stdout.splitlines()[0].split() == ["code", "branch", "role", "name", "state"]
    assert chinese.stdout.splitlines()[0].split() == ["编号", "网点", "角色", "姓名", "状态"]
    row = next(line for line in chinese.stdout.splitlines() if line.startswith("mk1"))
    assert "客户经理" in row and "从未" in row  # the role and "never signed in", in Chinese
    assert not CJK.search(english.stdout.replace("张三", "").replace("管理员", ""))  # names


def test_a_rule_file_check_speaks_the_command_s_language(db, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("version = \n", encoding="utf-8")
    args = ["rules", "publish", str(bad), "--db", db, "--as", "admin1"]
    english = runner.invoke(app, ["--lang", "en", *args])
    chinese = runner.invoke(app, ["--lang", "zh_CN", *args])
    assert english.exit_code == chinese.exit_code == 2
    assert "not valid TOML" in english.stderr
    assert chinese.stderr.startswith("错误：") and "不是有效的 TOML" in chinese.stderr
    missing = runner.invoke(app, ["--lang", "zh_CN", "rules", "publish", str(tmp_path / "x.toml")])
    assert "无法读取该文件" in missing.stderr


def test_errors_coded_for_points_and_staff_speak_chinese(db, monkeypatch):
    monkeypatch.setenv("UPGRADECAMP_PIN", "246810")
    explain = ["points", "explain", "C404", "--db", db, "--as", "admin1"]
    english = runner.invoke(app, ["--lang", "en", *explain])
    chinese = runner.invoke(app, ["--lang", "zh_CN", *explain])
    assert "no client has the id 'C404'" in english.stderr
    assert "没有客户号为“C404”的客户" in chinese.stderr
    taken = ["staff", "add", "mk1", "--name", "李四", "--role", "marketer", "--branch", "B02"]
    again = runner.invoke(app, ["--lang", "zh_CN", *taken, "--db", db, "--as", "admin1"])
    assert "员工编号 mk1 已被占用" in again.stderr, again.stderr


def test_rewards_are_named_in_the_command_s_language(db):
    args = ["points", "rewards", "--db", db, "--as", "admin1"]
    english = runner.invoke(app, ["--lang", "en", *args])
    chinese = runner.invoke(app, ["--lang", "zh_CN", *args])
    assert english.exit_code == chinese.exit_code == 0, english.output
    assert "Film night ticket" in english.stdout and not CJK.search(english.stdout)
    assert "观影活动门票" in chinese.stdout


def test_show_commands_and_confirmations_speak_chinese(forms_db):  # noqa: F811
    """`sessions show`, `forms show`, `clients show` and `staff reset-pin` in zh_CN: Chinese labels,
    statuses and roles, and none of the English lines they print with --lang en."""
    from tests.cli.test_cli_forms import F01, SESSION, WORKED
    from tests.cli.test_cli_forms import run as run_form

    assert (
        run_form(forms_db, "mk2", "submit", SESSION, "--client", "C000001", *WORKED).exit_code == 0
    )
    env = {"UPGRADECAMP_PIN": "123409", "UPGRADECAMP_NEW_PIN": "246810"}
    commands = {
        "session": (["sessions", "show", SESSION], ["时间：", "容量", "邀约", "签到中"]),
        "form": (["forms", "show", F01], ["已提交", "第 0 版", "客户：", "营销人员：", "积分："]),
        "client": (
            ["clients", "show", "C000001"],
            ["手机号", "证件后四位", "营销授权", "潜力客户"],
        ),
        "new pin": (["staff", "reset-pin", "mk2"], ["已为 mk2 设置新 PIN", "当面告知"]),
    }
    english = re.compile(r"\b(venue|capacity|invited|revision|marketer|mobile|consent|tell)\b")
    for name, (args, chinese) in commands.items():
        said = runner.invoke(
            app, ["--lang", "zh_CN", *args, "--db", forms_db, "--as", "admin1"], env=env
        )
        assert said.exit_code == 0, (name, said.output)
        for word in chinese:
            assert word in said.stdout, (name, word, said.stdout)
        assert not english.search(said.stdout), (name, said.stdout)
        plain = runner.invoke(
            app,
            ["--lang", "en", *args, "--db", forms_db, "--as", "admin1"],
            env={**env, "UPGRADECAMP_NEW_PIN": "135792"},
        )
        assert plain.exit_code == 0 and english.search(plain.stdout), (name, plain.stdout)
