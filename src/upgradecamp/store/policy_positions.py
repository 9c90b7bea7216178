"""How far the policies have got through the log, so a process that dies between a command's
commit and its policies loses nothing: the next process to open the database catches up.

Not a read table: replay rebuilds read tables from the log, but must never re-run policies.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Connection, String, Table, select, update

from upgradecamp.store.log_tables import log_metadata

POLICIES = "policies"

policy_positions = Table(
    "policy_positions",
    log_metadata,
    Column("name", String(100), primary_key=True),
    Column("position", BigInteger, nullable=False),
)


def tracked_position(conn: Connection, name: str = POLICIES) -> int | None:
    return conn.execute(
        select(policy_positions.c.position).where(policy_positions.c.name == name)
    ).scalar()


def start_tracking(conn: Connection, position: int, name: str = POLICIES) -> None:
    """Track from `position` on (once): 0 for a new database, the head for one whose earlier
    policies ran before tracking existed."""
    policy_positions.create(conn, checkfirst=True)
    if tracked_position(conn, name) is None:
        conn.execute(policy_positions.insert().values(name=name, position=position))


def advance(conn: Connection, position: int, name: str = POLICIES) -> None:
    conn.execute(
        update(policy_positions)
        .where(policy_positions.c.name == name, policy_positions.c.position < position)
        .values(position=position)
    )
