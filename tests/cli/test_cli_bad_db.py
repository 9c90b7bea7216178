"""Every `--db` that is not a usable upgradecamp database: one line on stderr saying what is
wrong and what to do, exit 2, no traceback, and no file left behind, for each kind of command
(read-only ones, `init`, `demo`, `tui`)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.cli.pg_servers import (
    PasswordRefusingServer,
    SilentServer,
    closed_port,
    real_server_url,
    with_database,
)
from upgradecamp.cli import app

runner = CliRunner()

READ_ONLY = (("log", "verify"), ("staff", "list"), ("sessions", "list"))
INIT = ("init", "--admin", "a1")
DEMO = ("demo", "--no-tui", "--customers", "0")
TUI = ("tui",)
SERVE = ("serve",)
EVERY = (*READ_ONLY, INIT, TUI, SERVE)


@dataclass(frozen=True)
class BadDb:
    name: str
    make: Callable[[Path], str]  # builds the bad target in the folder, returns the --db value
    says: str  # part of the one line
    commands: tuple[tuple[str, ...], ...] = EVERY


def _text(folder: Path) -> str:
    (folder / "notes.db").write_text("这不是数据库\nnot a database\n", encoding="utf-8")
    return str(folder / "notes.db")


def _random(folder: Path) -> str:
    (folder / "noise.db").write_bytes(os.urandom(8192))
    return str(folder / "noise.db")


def _directory(folder: Path) -> str:
    (folder / "a-folder.db").mkdir()
    return str(folder / "a-folder.db")


def _empty(folder: Path) -> str:
    (folder / "empty.db").touch()
    return str(folder / "empty.db")


def _foreign_sqlite(folder: Path) -> str:
    import sqlite3

    conn = sqlite3.connect(folder / "other-app.db")
    conn.execute("CREATE TABLE orders (id INTEGER PRIMARY KEY)")
    conn.commit()
    conn.close()
    return str(folder / "other-app.db")


def _damaged(folder: Path) -> str:
    """An upgradecamp database whose pages after the first (the schema's) were overwritten:
    it opens, and fails at the first table a command reads."""
    from upgradecamp.store.db import make_engine
    from upgradecamp.store.schema import create_schema

    path = folder / "damaged.db"
    engine = make_engine(str(path))
    create_schema(engine)
    engine.dispose()  # the last connection folds the -wal into the file
    data = bytearray(path.read_bytes())
    data[4096:] = b"\xa5" * (len(data) - 4096)
    path.write_bytes(bytes(data))
    return str(path)


SQLITE_CASES = [
    BadDb("text file", _text, "is not a database file", (*EVERY, DEMO)),
    BadDb("random bytes", _random, "is not a database file", (*EVERY, DEMO)),
    BadDb("directory", _directory, "is a folder, not a database file", (*EVERY, DEMO)),
    BadDb(
        "missing folder",
        lambda f: str(f / "no-such-folder" / "camp.db"),
        "no-such-folder does not exist",
        (*EVERY, DEMO),
    ),
    BadDb(
        "missing file",
        lambda f: str(f / "never-made.db"),
        "never-made.db does not exist; create it with `upgradecamp init --admin CODE",
        (*READ_ONLY, TUI, SERVE),
    ),
    BadDb("empty file", _empty, "holds no upgradecamp database yet", (*READ_ONLY, TUI)),
    BadDb("sqlite of another application", _foreign_sqlite, "not an upgradecamp one"),
    BadDb(
        "damaged database",
        _damaged,
        "is damaged (database disk image is malformed); restore it from a backup",
        (*READ_ONLY, INIT),
    ),
    BadDb(
        "unsupported scheme",
        lambda f: "mysql://camp@127.0.0.1/camp",
        "SQLite or PostgreSQL, not mysql",
    ),
    BadDb(
        "any URL for the demo",
        lambda f: "mysql://camp@127.0.0.1/camp",
        "demo builds into an SQLite file",
        (DEMO,),
    ),
]
PG_CASES = [
    BadDb(
        "postgresql, closed port",
        lambda f: f"postgresql+psycopg://postgres@127.0.0.1:{closed_port()}/test",
        "no PostgreSQL server answers at 127.0.0.1:",
    ),
]


@pytest.fixture(autouse=True)
def _isolated(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # a file made at a default path would show up here too
    monkeypatch.delenv("UPGRADECAMP_DB", raising=False)
    monkeypatch.setenv("UPGRADECAMP_PIN", "123409")

    def no_tui(*_args, **_kwargs):
        raise AssertionError("the TUI (or its server) started on a --db that cannot be used")

    monkeypatch.setattr("upgradecamp.tui.app.run_tui", no_tui)
    monkeypatch.setattr("upgradecamp.serve.BranchServer", no_tui)


def _files(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


def _assert_one_line_refusal(
    args: list[str], says: str, folder: Path, companions: frozenset[str] = frozenset()
) -> str:
    """`companions`: the -wal and -shm SQLite keeps beside a database it did open."""
    before = _files(folder)
    result = runner.invoke(app, args)
    shown = f"{' '.join(args)}\nstdout: {result.stdout}\nstderr: {result.stderr}"
    assert result.exception is None or isinstance(result.exception, SystemExit), shown
    assert result.exit_code == 2, shown
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), shown
    assert says in lines[0], shown
    assert "Traceback" not in result.output, shown
    assert _files(folder) - companions == before, f"files left behind by {shown}"
    return lines[0]


def _cases(cases: list[BadDb]) -> Iterator:
    for case in cases:
        for command in case.commands:
            yield pytest.param(case, command, id=f"{case.name}-{' '.join(command[:2])}")


@pytest.mark.parametrize(("case", "command"), list(_cases(SQLITE_CASES + PG_CASES)))
def test_a_bad_db_is_one_line_and_exit_2(case, command, tmp_path):
    db = case.make(tmp_path)
    _assert_one_line_refusal([*command, "--db", db], case.says, tmp_path)


@pytest.fixture
def password_server() -> Iterator[PasswordRefusingServer]:
    server = PasswordRefusingServer()
    yield server
    server.close()


@pytest.mark.parametrize("command", EVERY, ids=lambda c: " ".join(c[:2]))
def test_a_wrong_password(command, password_server, tmp_path):
    db = f"postgresql+psycopg://postgres:not-the-password@127.0.0.1:{password_server.port}/test"
    line = _assert_one_line_refusal(
        [*command, "--db", db], "refused the password of user postgres", tmp_path
    )
    assert "not-the-password" not in line


def test_a_server_that_wants_a_password(password_server, tmp_path):
    db = f"postgresql+psycopg://postgres@127.0.0.1:{password_server.port}/test"
    _assert_one_line_refusal(
        ["log", "verify", "--db", db], "wants a password for user postgres", tmp_path
    )


@pytest.mark.parametrize("command", (READ_ONLY[0], INIT, TUI), ids=lambda c: " ".join(c[:2]))
def test_a_server_that_never_answers(command, tmp_path):
    """connect_timeout ends the wait (2 s here, the driver's minimum, to keep the test short;
    the default is test_db_files.py's concern)."""
    server = SilentServer()
    try:
        db = f"postgresql+psycopg://postgres@127.0.0.1:{server.port}/test?connect_timeout=2"
        _assert_one_line_refusal(
            [*command, "--db", db], "did not answer within 2 seconds", tmp_path
        )
    finally:
        server.close()


REAL_PG = real_server_url()
needs_server = pytest.mark.skipif(
    REAL_PG is None,
    reason="needs a PostgreSQL server: set UPGRADECAMP_TEST_PG, or run one at 127.0.0.1:5432",
)


@needs_server
@pytest.mark.pg
@pytest.mark.parametrize("command", EVERY, ids=lambda c: " ".join(c[:2]))
def test_an_unknown_database(command, tmp_path):
    name = f"no_such_db_{uuid.uuid4().hex[:8]}"
    _assert_one_line_refusal(
        [*command, "--db", with_database(REAL_PG, name)],
        f"has no database {name}; create it",
        tmp_path,
    )


@needs_server
@pytest.mark.pg
def test_an_unknown_user(tmp_path):
    user = f"nobody_{uuid.uuid4().hex[:8]}"
    db = with_database(REAL_PG, "postgres", user=user)
    _assert_one_line_refusal(["staff", "list", "--db", db], f"has no user {user}", tmp_path)


@needs_server
@pytest.mark.pg
@pytest.mark.parametrize("command", (*READ_ONLY, TUI), ids=lambda c: " ".join(c[:2]))
def test_a_postgresql_database_without_upgradecamp(command, tmp_path):
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(REAL_PG, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        url = make_url(REAL_PG).update_query_dict({"options": f"-csearch_path={schema}"})
        _assert_one_line_refusal(
            [*command, "--db", url.render_as_string(hide_password=False)],
            "holds no upgradecamp database yet",
            tmp_path,
        )
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def test_damage_found_in_the_middle_of_a_command(tmp_path):
    """Opening reads only the schema; a table damaged behind it is said the same way."""
    import sqlite3

    from upgradecamp.store.db import make_engine
    from upgradecamp.store.schema import create_schema

    path = tmp_path / "log-damaged.db"
    engine = make_engine(str(path))
    create_schema(engine)
    engine.dispose()
    conn = sqlite3.connect(path)
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    (root,) = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'log_head'").fetchone()
    conn.close()
    data = bytearray(path.read_bytes())
    start = (root - 1) * page_size
    data[start : start + page_size] = b"\xa5" * page_size
    path.write_bytes(bytes(data))
    _assert_one_line_refusal(
        ["log", "verify", "--db", str(path)],
        "the database is damaged (database disk image is malformed); restore it from a backup",
        tmp_path,
        frozenset({f"{path.name}-wal", f"{path.name}-shm"}),
    )


@pytest.mark.parametrize(
    ("make", "says"),
    [
        (_directory, "是文件夹，不是数据库文件"),
        (_text, "不是数据库文件（不是 SQLite）"),
        (_foreign_sqlite, "不是 upgradecamp 的（没有事件日志）"),
        (lambda folder: str(folder / "missing" / "x.db"), "不存在；请先创建"),
        (lambda folder: "mysql://user@host/db", "不支持 mysql"),
    ],
    ids=["folder", "text", "foreign", "no-folder", "mysql"],
)
def test_a_bad_db_is_said_in_chinese_with_lang_zh(make, says, tmp_path):
    db = make(tmp_path)
    result = runner.invoke(app, ["--lang", "zh_CN", "log", "verify", "--db", db])
    assert result.exit_code == 2, result.output
    [line] = result.stderr.splitlines()
    assert line.startswith("错误：") and says in line, line


def test_every_db_problem_is_said_in_both_languages():
    """Each `problem=` that store/opening.py raises has its text in both catalogues."""
    import re

    from upgradecamp import i18n
    from upgradecamp.store import opening

    problems = set(re.findall(r'problem="(\w+)"', Path(opening.__file__).read_text()))
    assert len(problems) > 15
    for lang in i18n.LANGUAGES:
        missing = sorted(p for p in problems if f"db_problem.{p}" not in i18n.catalogue(lang))
        assert missing == [], lang
