"""Creating a database (key file, schema, then the fixtures and the first admin as events),
and the checks and repairs of a database the CLI and the TUI run on it: screens and commands
reach the store only through here and the bus."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from upgradecamp.domain.commands import InitialiseDatabase
from upgradecamp.domain.pin_policy import check_new_pin
from upgradecamp.domain.staff import SYSTEM
from upgradecamp.service.bus import Services
from upgradecamp.service.fixtures import load_defaults
from upgradecamp.store import keyfile
from upgradecamp.store.db import read_transaction, write_transaction
from upgradecamp.store.eventlog import EventLog
from upgradecamp.store.keyfile import KeyFileError, LogKey, create_key, engine_key_path, read_key
from upgradecamp.store.log_tables import record_keying
from upgradecamp.store.schema import create_schema

# For the entry points' messages and files: they reach the store only through here.
KEY_ENV, KEY_SUFFIX = keyfile.KEY_ENV, keyfile.KEY_SUFFIX

if TYPE_CHECKING:
    from upgradecamp.projections.rebuild import ReplayReport
    from upgradecamp.store.eventlog import VerifyReport


def initialise(
    services: Services,
    *,
    admin_code: str,
    admin_name: str,
    admin_pin: str,
    fixtures: Path | None = None,
    pin_salt: bytes | None = None,
    key_secret: bytes | None = None,
) -> dict[str, Any]:
    """`key_secret` is the seeded demo's: its log and PIN hashes must come out the same."""
    check_new_pin(admin_pin)  # before the schema: a refused PIN leaves no database behind
    defaults = load_defaults(fixtures)
    create_schema(services.engine)
    _key_new_database(services, key_secret)
    return services.execute(
        InitialiseDatabase(
            admin_code=admin_code,
            admin_name=admin_name,
            admin_pin=admin_pin,
            branches=defaults["branches"],
            rule_sets=defaults["rule_sets"],
            tier_ladder=defaults["tier_ladder"],
            benefits=defaults["benefits"],
            admin_pin_salt=pin_salt,
            rewards=defaults["rewards"],
        ),
        SYSTEM,
    )


def verify_log(services: Services) -> VerifyReport:
    """Walk the log's hash chain from the first event (`upgradecamp log verify`)."""
    with read_transaction(services.engine) as conn:
        return services.log.verify(conn)


def key_file_of(services: Services) -> Path | None:
    """Where the database's key file is looked for (`KEY_ENV` places it)."""
    return engine_key_path(services.engine)


def rebuild_read_model(services: Services) -> ReplayReport:
    """Replay the whole log into fresh read tables (`upgradecamp log replay`; admins only,
    which the caller checks)."""
    from upgradecamp.projections.rebuild import rebuild

    return rebuild(services.engine, services.log)


def bring_read_model_up_to_date(services: Services) -> list[str]:
    """A database written by an older version lacks newer read tables (or columns): recreate
    those and replay the log, so every screen reads what the log says; a newer index is only
    created. Returns the tables recreated (none on an up-to-date database, which costs two
    queries of the schema)."""
    from upgradecamp.projections.rebuild import rebuild
    from upgradecamp.store.schema import create_indexes, recreate_read_tables, stale_read_tables

    stale, missing = stale_read_tables(services.engine)
    if missing:
        create_indexes(services.engine, missing)
    if stale:
        recreate_read_tables(services.engine, stale)
        rebuild(services.engine, services.log)
    return stale


def _key_new_database(services: Services, secret: bytes | None) -> None:
    """A new database is keyed from its first event. A key file left by a deleted database
    that was keyed from its start is taken over (it protects nothing else); any other is kept
    and refused, as it may be the key of a database elsewhere."""
    path = engine_key_path(services.engine)
    if path is None:
        return
    with read_transaction(services.engine) as conn:
        if EventLog.head(conn)[0] > 0:
            return  # initialise refuses it: already initialised
    key = read_key(path)
    if key is None:
        key = create_key(path, keyed_from=1, secret=secret)
    elif key.keyed_from != 1 or (secret is not None and key.secret != secret):
        raise KeyFileError(
            f"{path} already exists and is not a key for a new database; move "
            "it away (it may be another database's key) and run this again"
        )
    elif secret is not None:
        key = replace(key, seeded=True)
    with write_transaction(services.engine) as conn:
        record_keying(conn, key)
    services.log.use_key(key)


def ensure_keyed(services: Services) -> LogKey | None:
    """Key a database an older version made: from the next position on, with a new key file.

    Its plain-hash prefix stays verifiable as it is. A database already keyed whose key file
    is missing is left alone: a new key would fork it; its appends refuse and say why.
    """
    path = engine_key_path(services.engine)
    if path is None:
        return services.log.key
    with read_transaction(services.engine) as conn:
        if services.log.keying(conn) is not None:
            return services.log.key
    with write_transaction(services.engine) as conn:
        recorded = services.log.keying(conn)
        if recorded is not None:
            return services.log.key
        key = services.log.key
        if key is None:
            # The write transaction holds the log: nothing lands between head and keying.
            key = create_key(path, keyed_from=EventLog.head(conn)[0] + 1)
        record_keying(conn, key)
    services.log.use_key(key)
    return key


def prepare_opened(services: Services) -> list[str]:
    """What every process does on opening a database: key it if an older version made it,
    bring its read tables up to date, run the policies a crashed process left owed (refusals
    go to `services.on_refused`), and check cheaply that the read tables agree with the log.

    Returns what disagrees, each as one line that says what to do (the caller shows it)."""
    from upgradecamp.projections.compare import quick_check
    from upgradecamp.service.policy_tracking import catch_up

    ensure_keyed(services)
    bring_read_model_up_to_date(services)
    catch_up(services)
    return [
        f"{problem}: the read tables disagree with the log; run `upgradecamp log verify "
        "--tables` to see which rows, then `upgradecamp log replay` (admin) to rebuild them"
        for problem in quick_check(services.engine)
    ]
