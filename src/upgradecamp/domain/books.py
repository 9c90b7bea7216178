"""Client books (找客户、分客户): who may be given clients, which clients a selection names,
and who sees a client's full details. Pure.

A marketer sees full details (AUM, risk grade, contact history) of their own clients and of
the attendees of sessions they work (host or presenter); anyone else's clients show their
name and masked fields only. Organizers, branch heads and admins see the branch's books.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from upgradecamp.domain.commands.clients import AssignClients
from upgradecamp.domain.errors import BadInput, NotFound, RuleRefused
from upgradecamp.domain.events.clients import ClientAssigned
from upgradecamp.domain.masking import mask_mobile
from upgradecamp.domain.names import compact, is_cjk, search_keys
from upgradecamp.domain.staff import Actor
from upgradecamp.domain.tiers import SEGMENTS

RM_ROLES = ("marketer",)
BULK_MAX = 20_000


@dataclass(frozen=True)
class StaffFacts:
    code: str
    role: str
    branch: str


@dataclass(frozen=True)
class AssignFacts:
    """`rm` None: no such staff member; `clients` the selection as (id, current rm);
    `unknown` the named ids the register does not hold; `branches` the cluster's codes."""

    actor: Actor
    rm: StaffFacts | None
    clients: tuple[tuple[str, str | None], ...]
    unknown: tuple[str, ...] = ()
    branches: tuple[str, ...] = ()


def check_selection(cmd: AssignClients, branches: Sequence[str]) -> None:
    """Named clients, or a branch (with an optional segment and/or unassigned): not both."""
    if bool(cmd.client_ids) == bool(cmd.branch):
        raise BadInput(
            "name the clients (--client ID, repeat) or a branch (--branch B, with "
            "--segment and --unassigned to narrow it), not both and not neither",
            "assign_selection",
        )
    if (cmd.segment or cmd.unassigned) and not cmd.branch:
        raise BadInput("--segment and --unassigned narrow a --branch; add one", "assign_selection")
    if cmd.branch and cmd.branch not in branches:
        raise NotFound(
            f"no branch '{cmd.branch}'; use one of {', '.join(branches)}",
            "assign_unknown_branch",
            branch=cmd.branch,
        )
    if cmd.segment and cmd.segment not in SEGMENTS:
        raise BadInput(
            f"segment '{cmd.segment}' is not one of {', '.join(SEGMENTS)}",
            "assign_bad_segment",
            segment=cmd.segment,
        )


def decide_assign(facts: AssignFacts, cmd: AssignClients) -> list[ClientAssigned]:
    """One event per client whose manager changes; those already the RM's are left alone."""
    facts.actor.require("clients.assign", "assign clients to relationship managers")
    check_selection(cmd, facts.branches)
    if facts.rm is None:
        raise NotFound(
            f"no staff member has the code '{cmd.rm}'; see `upgradecamp staff list`",
            "assign_unknown_staff",
            staff=cmd.rm,
        )
    if facts.rm.role not in RM_ROLES:
        raise RuleRefused(
            f"{cmd.rm} is a {facts.rm.role}; clients are assigned to marketers "
            "(relationship managers, 客户经理)",
            "assign_not_marketer",
            staff=cmd.rm,
            role=facts.rm.role,
        )
    if facts.unknown:
        shown = ", ".join(facts.unknown[:10]) + (" …" if len(facts.unknown) > 10 else "")
        raise NotFound(
            f"{len(facts.unknown)} client id(s) are not in the register: {shown}; "
            "nothing was assigned",
            "assign_unknown_clients",
            count=len(facts.unknown),
            clients=shown,
        )
    if len(facts.clients) > BULK_MAX:
        raise RuleRefused(
            f"{len(facts.clients)} clients selected; assign at most {BULK_MAX} "
            "at once (narrow by segment)",
            "assign_too_many",
            count=len(facts.clients),
        )
    return [
        ClientAssigned(client_id=client_id, rm=cmd.rm, previous=current)
        for client_id, current in facts.clients
        if current != cmd.rm
    ]


def sees_full_details(viewer: Actor, client_rm: str | None, works_with: bool) -> bool:
    """A marketer: own clients and attendees of sessions they work; other roles: all."""
    if viewer.role != "marketer":
        return True
    return client_rm == viewer.code or works_with


# What anyone who may read clients sees of any client: who they are, masked.
ALWAYS_SHOWN = frozenset({"client_id", "name", "mobile", "branch", "rm", "rm_name"})


def client_view(
    viewer: Actor,
    record: Mapping[str, Any],
    works_with: bool,
    kept: frozenset[str] = frozenset(),
) -> tuple[dict[str, Any], bool]:
    """One client's record as `viewer` may see it, and whether it was restricted: the one place
    the marketer visibility rule is applied (screens, `clients show`, exports, the follow-up
    desk, the registration desk, `points explain`). Restricted, it keeps its keys (a file's
    columns stay put) with the mobile masked and every other field outside ALWAYS_SHOWN and
    `kept` emptied. `kept` names the fields of a record that are not the client's details but
    the record's own (a follow-up's id, kind and due date; a check-in's time)."""
    if sees_full_details(viewer, record.get("rm"), works_with):
        return dict(record), False
    shown = {k: (v if k in ALWAYS_SHOWN or k in kept else None) for k, v in record.items()}
    mobile = record.get("mobile")
    if mobile and "*" not in mobile:
        shown["mobile"] = mask_mobile(mobile)
    return shown, True


def matches(text: str, client_id: str, name: str, mobile_last4: str) -> bool:
    """The door's search over a book: client number, name or any part of it, pinyin or its
    initials (`zs` finds 张三), or the mobile's last 4 digits."""
    query = compact(text).lower()
    if not query:
        return True
    if client_id.lower().startswith(query):
        return True
    keys = search_keys(name, mobile_last4)
    if query.isdigit():
        return ("m" + query) in keys
    kinds = ("n",) if any(is_cjk(c) for c in query) else ("p", "i")
    return any(k.startswith(kind + query) for k in keys for kind in kinds)
