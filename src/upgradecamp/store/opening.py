"""Opening the database a `--db` names, and the one line that says why it cannot be used.

Every entry point opens through here (the CLI's commands, `init`, `demo`, `tui` and the TUI's
own opener), so a text file, a folder, a missing folder, a closed port or a wrong password get
the same message everywhere: what is wrong and what to do, never a driver's traceback.
`check_database` answers what can be told without SQLAlchemy (it runs before the TUI paints);
`open_engine` connects and classifies what only a connection can tell.

A command that only reads never creates a database: a missing file is an error before any
engine exists (SQLite would otherwise create an empty file at the path).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from upgradecamp.config import db_url
from upgradecamp.domain.errors import BadInput

if TYPE_CHECKING:
    from sqlalchemy import Engine

SQLITE_HEADER = b"SQLite format 3\x00"
BACKENDS = ("sqlite", "postgresql")
INIT_HINT = "upgradecamp init --admin CODE"


class DatabaseUnusable(BadInput):
    """The `--db` is not a usable upgradecamp database; the message says why and what to do.

    `lasting` is False where waiting may help (a server that is down or slow to answer): the TUI
    keeps retrying those and gives up on the others.
    """

    def __init__(
        self,
        message: str,
        *,
        lasting: bool = True,
        code: str | None = None,
        problem: str | None = None,
        **params: object,
    ) -> None:
        # The TUI says a lasting problem with error.database_unusable ("quit and start again");
        # a passing one (code database_unreachable) as it is, while it keeps retrying. `problem`
        # names the catalogue's `db_problem.<problem>` text: the message in the user's language.
        code = code or ("database_unusable" if lasting else "database_unreachable")
        super().__init__(message, code, detail=message, **params)
        self.lasting = lasting
        self.problem = problem


def shown(url: str) -> str:
    """The database as messages name it: a file path, or a URL without its password."""
    if _backend(url) == "sqlite":
        return _sqlite_path(url) or ":memory:"
    scheme, _, rest = url.partition("://")
    userinfo, at, location = rest.rpartition("@")
    if at and ":" in userinfo:
        return f"{scheme}://{userinfo.split(':', 1)[0]}:***@{location}"
    return url


def check_database(db: str | None, *, create: bool = False) -> str:
    """The URL for `db`, or DatabaseUnusable for what is wrong without connecting.

    `create` is for `init` and `demo`, which make a new SQLite file; every other command needs
    the database to exist already, and holding an upgradecamp log where a file can tell.
    """
    url = db_url(db)
    backend = _backend(url)
    if backend not in BACKENDS:
        raise DatabaseUnusable(
            f"{shown(url)}: upgradecamp keeps its data in SQLite or PostgreSQL, not {backend}; "
            "pass an SQLite file path or a postgresql+psycopg://USER@HOST/DATABASE URL",
            problem="backend",
            db=shown(url),
            backend=backend,
        )
    path = _sqlite_path(url) if backend == "sqlite" else None
    if path:
        _check_sqlite_file(Path(path), create=create)
    return url


def open_engine(db: str | None, *, create: bool = False) -> Engine:
    """An engine on a database that works; DatabaseUnusable otherwise.

    Without `create` the database must hold an upgradecamp event log; with it (`init`) it must
    be new, empty, or an upgradecamp database already (init then says it is initialised).
    """
    from sqlalchemy import inspect
    from sqlalchemy.exc import SQLAlchemyError

    from upgradecamp.store.db import make_engine

    url = check_database(db, create=create)
    try:
        engine = make_engine(url)
    except (ImportError, SQLAlchemyError) as exc:  # a driver that is not installed, a bad URL
        raise _unusable(exc, url) from None
    path = _sqlite_path(url) if _backend(url) == "sqlite" else None
    if create and path and not Path(path).exists():
        return engine  # the first write creates it, owner-only (store.db)
    try:
        with engine.connect() as conn:
            tables = set(inspect(conn).get_table_names())
    except Exception as exc:
        engine.dispose()
        raise _unusable(exc, url) from None
    if "event_log" in tables:
        return engine
    engine.dispose()
    if not create:
        raise _not_upgradecamp(url, foreign=bool(tables))
    if path and tables:
        raise _not_upgradecamp(url, foreign=True)
    return engine


# --- what a file tells ----------------------------------------------------------------------


def _check_sqlite_file(path: Path, *, create: bool) -> None:
    if path.is_dir():
        raise DatabaseUnusable(
            f"{path} is a folder, not a database file; pass a file path "
            f"such as --db {path / 'upgradecamp.db'}",
            problem="folder",
            path=str(path),
            example=str(path / "upgradecamp.db"),
        )
    folder = path.parent
    if not folder.is_dir():
        raise DatabaseUnusable(
            f"the folder {folder} does not exist; create it, or pass a --db "
            "path in an existing folder",
            problem="no_folder",
            folder=str(folder),
        )
    if not path.exists():
        if create:
            return
        raise DatabaseUnusable(
            f"{path} does not exist; create it with `{INIT_HINT} --db "
            f"{path}`, or pass the --db of an existing database",
            code="no_upgradecamp_database",
            problem="no_file",
            path=str(path),
        )
    try:
        with path.open("rb") as fh:
            header = fh.read(len(SQLITE_HEADER))
    except OSError as exc:
        raise DatabaseUnusable(
            f"cannot read {path}: {exc.strerror}; check the file's permissions or pass "
            "another --db",
            problem="unreadable",
            path=str(path),
            reason=str(exc.strerror),
        ) from None
    if header and header != SQLITE_HEADER:
        raise DatabaseUnusable(
            f"{path} is not a database file (it is not SQLite); check the --db path",
            problem="not_sqlite",
            path=str(path),
        )
    tables = None if create else _sqlite_tables(path)
    if tables is not None and "event_log" not in tables:
        raise _not_upgradecamp(f"sqlite:///{path}", foreign=bool(tables))


def _sqlite_tables(path: Path) -> set[str] | None:
    """The file's tables, read without creating or locking anything; None when only a
    connection can tell (a write-ahead log holds pages the file does not have yet)."""
    import sqlite3
    from urllib.parse import quote

    wal = Path(f"{path}-wal")
    if wal.exists() and wal.stat().st_size > 0:
        return None
    try:
        conn = sqlite3.connect(f"file:{quote(str(path.resolve()))}?immutable=1", uri=True)
    except sqlite3.Error:
        return None
    try:
        rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    except sqlite3.Error:
        return None
    finally:
        conn.close()
    return {name for (name,) in rows}


def _not_upgradecamp(url: str, *, foreign: bool) -> DatabaseUnusable:
    name = shown(url)
    if foreign:
        return DatabaseUnusable(
            f"{name} is a database, but not an upgradecamp one (it has no event log); check "
            f"the --db path, or create a new database with `{INIT_HINT} --db NEW_PATH`",
            problem="foreign",
            db=name,
        )
    return DatabaseUnusable(
        f"{name} holds no upgradecamp database yet; create it with `{INIT_HINT} --db {name}`",
        code="no_upgradecamp_database",
        problem="empty",
        db=name,
    )


# --- what a connection tells ----------------------------------------------------------------

_DRIVER_MODULE = re.compile(r"No module named '([\w.]+)'")
_DAMAGE = re.compile(r"malformed|corrupt|file is not a database")


def _unusable(exc: BaseException, url: str) -> DatabaseUnusable:
    """The driver's error as a person can act on it; its first line where nothing fits."""
    source = getattr(exc, "orig", None) or exc
    text = str(source).strip()
    first = (text.splitlines() or [type(source).__name__])[0].strip()
    lower = text.lower()
    name = shown(url)
    if isinstance(exc, ImportError):
        module = _DRIVER_MODULE.search(text)
        return DatabaseUnusable(
            f"{name}: the database driver {module.group(1) if module else ''} is not installed; "
            "for PostgreSQL use a postgresql+psycopg:// URL and pip install 'upgradecamp[pg]'",
            problem="driver",
            db=name,
            module=module.group(1) if module else "",
        )
    if _backend(url) == "sqlite":
        path = _sqlite_path(url) or name
        if "file is not a database" in lower:
            return DatabaseUnusable(
                f"{path} is not a database file (it is not SQLite); check the --db path",
                problem="not_sqlite",
                path=path,
            )
        if "locked" in lower or "busy" in lower:
            return DatabaseUnusable(
                f"{path} is busy (another terminal is writing); try again in a moment",
                lasting=False,
                problem="busy",
                path=path,
            )
        if _DAMAGE.search(lower):
            return DatabaseUnusable(
                f"{path} is damaged ({first}); restore it from a backup",
                problem="damaged",
                path=path,
                error=first,
            )
        if "unable to open" in lower or "readonly" in lower:
            return DatabaseUnusable(
                f"cannot open {path}: SQLite cannot open or write it; check "
                "that the file and its folder are yours to write",
                problem="not_writable",
                path=path,
            )
        return DatabaseUnusable(
            f"cannot open {path}: {first}; check the --db path",
            problem="cannot_open",
            path=path,
            error=first,
        )
    return _postgres_problem(lower, first, url)


def damage(exc: BaseException) -> DatabaseUnusable | None:
    """A database found damaged while a command ran, said as opening would say it."""
    source = getattr(exc, "orig", None) or exc
    first = (str(source).strip().splitlines() or [""])[0].strip()
    if not _DAMAGE.search(first.lower()):
        return None
    return DatabaseUnusable(
        f"the database is damaged ({first}); restore it from a backup",
        problem="damaged_now",
        error=first,
    )


def _postgres_problem(lower: str, first: str, url: str) -> DatabaseUnusable:
    from sqlalchemy.engine import make_url

    from upgradecamp.store.db import PG_CONNECT_TIMEOUT_S

    parts = make_url(url)
    server = f"{parts.host or 'localhost'}:{parts.port or 5432}"
    user, database = parts.username or "(default user)", parts.database or "(default)"
    if "password authentication failed" in lower:
        return DatabaseUnusable(
            f"PostgreSQL at {server} refused the password of user {user}; "
            "correct the password in --db (or in ~/.pgpass)",
            problem="pg_password",
            server=server,
            user=user,
        )
    if "no password supplied" in lower:
        return DatabaseUnusable(
            f"PostgreSQL at {server} wants a password for user {user}; "
            "put it in --db (postgresql+psycopg://USER:PASSWORD@HOST/DB) "
            "or in ~/.pgpass",
            problem="pg_no_password",
            server=server,
            user=user,
        )
    if re.search(r'database "[^"]*" does not exist', lower):
        return DatabaseUnusable(
            f"PostgreSQL at {server} has no database {database}; create it "
            f"(createdb {database}) or correct the name in --db",
            problem="pg_no_database",
            server=server,
            database=database,
        )
    if re.search(r'role "[^"]*" does not exist', lower):
        return DatabaseUnusable(
            f"PostgreSQL at {server} has no user {user}; correct the user in --db",
            problem="pg_no_user",
            server=server,
            user=user,
        )
    if "connection refused" in lower:
        return DatabaseUnusable(
            f"no PostgreSQL server answers at {server}; start it, or "
            "correct the host and port in --db",
            lasting=False,
            problem="pg_refused",
            server=server,
        )
    if "timeout" in lower or "timed out" in lower:
        waited = parts.query.get("connect_timeout", PG_CONNECT_TIMEOUT_S)
        return DatabaseUnusable(
            f"the PostgreSQL server at {server} did not answer within "
            f"{waited} seconds; check the host, the port and the network",
            lasting=False,
            problem="pg_timeout",
            server=server,
            seconds=str(waited),
        )
    if "resolve host" in lower or "translate host name" in lower or "name or service" in lower:
        return DatabaseUnusable(
            f"the host {parts.host} in --db is unknown; correct it",
            problem="pg_unknown_host",
            host=str(parts.host),
        )
    return DatabaseUnusable(
        f"cannot open {shown(url)}: {first}; check --db",
        lasting=False,
        problem="pg_cannot_open",
        db=shown(url),
        error=first,
    )


# --- URLs, without importing SQLAlchemy ------------------------------------------------------


def _backend(url: str) -> str:
    return url.partition("://")[0].partition("+")[0].lower()


def _sqlite_path(url: str) -> str | None:
    """The file of an SQLite URL; None for an in-memory database."""
    rest = url.partition("://")[2]
    path = rest[1:] if rest.startswith("/") else rest
    path = path.partition("?")[0]
    return None if path in ("", ":memory:") else path
