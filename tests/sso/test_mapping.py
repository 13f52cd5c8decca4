"""Groups to roles, and what a sign-in changes: pure functions."""

from __future__ import annotations

import pytest

from sso.mapping import Plan, desired_roles, groups_from_claims, plan_sync


@pytest.mark.parametrize(
    ("value", "groups"),
    [
        (["a", "b", " c "], {"a", "b", "c"}),
        ("a b,c", {"a", "b", "c"}),
        (None, set()),
        (42, set()),
        ([1, None, "x", ""], {"x"}),
        ({"a": 1}, set()),
    ],
)
def test_groups_from_any_claim_shape(value, groups):
    assert groups_from_claims({"groups": value}, "groups") == groups


def test_the_highest_role_of_all_mapped_groups_wins():
    mappings = [(1, "team-a", "viewer"), (1, "team-a-admins", "admin"), (2, "team-b", "member")]
    assert desired_roles({"team-a", "team-a-admins"}, mappings) == {1: "admin"}
    assert desired_roles({"team-a", "team-b", "other"}, mappings) == {1: "viewer", 2: "member"}
    assert desired_roles(set(), mappings) == {}


def test_plan_adds_changes_and_removes_only_synced_memberships():
    plan = plan_sync(
        desired={1: "admin", 2: "member", 3: "viewer"},
        synced={2: "viewer", 4: "member"},
        by_hand={3, 5},
    )
    assert plan == Plan(add={1: "admin"}, change={2: "member"}, remove={4})


def test_nothing_to_do_when_in_line():
    assert plan_sync({1: "admin"}, {1: "admin"}, set()) == Plan(add={}, change={}, remove=set())


def test_a_lower_role_listed_later_does_not_undo_a_higher_one():
    # The mappings come in database order: whichever order, the highest role wins.
    mappings = [(1, "admins", "admin"), (1, "everyone", "viewer"), (1, "staff", "member")]
    assert desired_roles({"admins", "everyone", "staff"}, mappings) == {1: "admin"}
    assert desired_roles({"everyone", "staff"}, mappings) == {1: "member"}
