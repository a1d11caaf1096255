"""The authorization policy's building blocks, without HTTP: who may read and write where, and
which organisation a new record belongs to."""

from __future__ import annotations

import uuid

import pytest

from wangan.errors import Forbidden, NotFound, Unauthenticated
from wangan.kernel.auth import ANONYMOUS, Principal
from wangan.kernel.models import UserRole
from wangan.vulns import policy

ORG = uuid.uuid4()
OTHER = uuid.uuid4()


def person(role: UserRole | None, org: uuid.UUID | None = ORG, *, admin: bool = False,
           scopes: tuple[str, ...] = ("read", "write")) -> Principal:
    return Principal(user_id=uuid.uuid4(), label="p@example.org", org_id=org, role=role, is_admin=admin,
                     scopes=frozenset(scopes))


@pytest.mark.parametrize(("role", "reads", "writes"), [
    (UserRole.MANAGER, True, True), (UserRole.ANALYST, True, True),
    (UserRole.VIEWER, True, False), (UserRole.REPORTER, False, False),
])
def test_roles_inside_their_own_organisation(role: UserRole, reads: bool, writes: bool) -> None:
    p = person(role)
    assert (p.may_read_in(ORG), p.may_write_in(ORG)) == (reads, writes)
    assert (p.may_read_in(OTHER), p.may_write_in(OTHER)) == (False, False)


def test_admin_reads_and_writes_everywhere_within_token_scopes() -> None:
    assert person(None, None, admin=True).may_write_in(OTHER)
    read_only_admin = person(None, None, admin=True, scopes=("read",))
    assert read_only_admin.may_read_in(OTHER) and not read_only_admin.may_write_in(OTHER)


def test_scopes_limit_a_manager() -> None:
    assert not person(UserRole.MANAGER, scopes=("read",)).may_write_in(ORG)
    assert not person(UserRole.MANAGER, scopes=("write",)).may_read_in(ORG)
    with pytest.raises(Forbidden):
        person(UserRole.MANAGER, scopes=("read",)).require_scope("write")


def test_anonymous_is_asked_to_sign_in() -> None:
    with pytest.raises(Unauthenticated):
        policy.require_read(ANONYMOUS, None, "case", "WA-1")
    with pytest.raises(Unauthenticated):
        policy.acting_org(ANONYMOUS, None)


def test_missing_record_is_not_found() -> None:
    with pytest.raises(NotFound, match="no case WA-2026-0009"):
        policy.require_read(person(UserRole.ANALYST), None, "case", "WA-2026-0009")


def test_acting_org_is_the_principals_own() -> None:
    assert policy.acting_org(person(UserRole.ANALYST), None) == ORG
    assert policy.acting_org(person(UserRole.ANALYST), ORG) == ORG
    with pytest.raises(Forbidden):
        policy.acting_org(person(UserRole.ANALYST), OTHER)


def test_admin_names_the_organisation() -> None:
    admin = person(None, None, admin=True)
    assert policy.acting_org(admin, OTHER) == OTHER
    with pytest.raises(Forbidden, match="name the organisation"):
        policy.acting_org(admin, None)
