"""Provider groups → workspace roles, and what a sign-in must change: pure functions."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from accessportal.models import ROLE_RANK


def groups_from_claims(claims: Mapping, claim: str) -> set[str]:
    """The claim as a set of group names: a list, a space- or comma-separated string, or
    nothing. Anything else is no group (a provider that sends odd types gets no roles)."""
    value = claims.get(claim)
    if isinstance(value, str):
        return {g for g in value.replace(",", " ").split() if g}
    if isinstance(value, list | tuple):
        return {g.strip() for g in value if isinstance(g, str) and g.strip()}
    return set()


def desired_roles(groups: set[str], mappings: Iterable[tuple[int, str, str]]) -> dict[int, str]:
    """{workspace id: the highest role any of the user's groups maps to}."""
    roles: dict[int, str] = {}
    for workspace_id, group, role in mappings:
        if group in groups and ROLE_RANK[role] > ROLE_RANK.get(roles.get(workspace_id), -1):
            roles[workspace_id] = role
    return roles


@dataclass(frozen=True)
class Plan:
    add: dict[int, str]  # workspace → role
    change: dict[int, str]  # workspace → new role (synced memberships only)
    remove: set[int]  # workspaces whose synced membership goes


def plan_sync(desired: Mapping[int, str], synced: Mapping[int, str], by_hand: set[int]) -> Plan:
    """What to do so the synced memberships match ``desired``. Memberships set by hand
    (``by_hand``) are never touched, nor added on top of."""
    add = {ws: role for ws, role in desired.items() if ws not in synced and ws not in by_hand}
    change = {ws: role for ws, role in desired.items() if ws in synced and synced[ws] != role}
    remove = {ws for ws in synced if ws not in desired}
    return Plan(add=add, change=change, remove=remove)
