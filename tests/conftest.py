"""Shared fixtures: one database per run built by migrations, emptied after every test.

Set ``WANGAN_TEST_DATABASE_URL`` to run the same suite on PostgreSQL (``.ci/run`` does)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from wangan.config import Settings
from wangan.db import Base, make_engine
from wangan.kernel.audit import Actor
from wangan.kernel.auth import Principal, principal_for
from wangan.kernel.models import Organisation, User
from wangan.migrate import upgrade
from wangan.runtime import Runtime, build_runtime

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("WANGAN_TEST_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    eng = make_engine(database_url)
    if eng.dialect.name == "postgresql":
        with eng.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    upgrade(eng)
    yield eng
    eng.dispose()


def _empty_all_tables(eng: Engine) -> None:
    tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
    with eng.begin() as conn:
        if eng.dialect.name == "postgresql":
            conn.execute(text("TRUNCATE " + ", ".join(tables) + " RESTART IDENTITY CASCADE"))
        else:
            for name in tables:
                conn.execute(text(f"DELETE FROM {name}"))  # noqa: S608 - table names from our metadata


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return Settings(
        data_dir=tmp_path / "data", database_url=database_url, rules_dir=REPO / "rules",
        env="test", base_url="http://testserver", admin_email="admin@example.org",
        security_contact="mailto:psirt@example.org", intake_rate_per_minute=1000,
    )


@pytest.fixture
def rt(settings: Settings, engine: Engine) -> Iterator[Runtime]:
    runtime = build_runtime(settings, migrate=False, engine=engine)
    yield runtime
    _empty_all_tables(engine)


@pytest.fixture
def session(rt: Runtime) -> Iterator[Session]:
    s = rt.sessions()
    try:
        yield s
    finally:
        s.rollback()
        s.close()


SYSTEM = Actor.system("tests")


class Factory:
    """Builds organisations and users through the services, committed, for any test."""

    def __init__(self, rt: Runtime) -> None:
        self.rt = rt

    def org(self, slug: str | None = None, *, roles: tuple[str, ...] = ("provider",),
            jurisdiction: str = "domestic", contact: str | None = "psirt@example.org") -> Organisation:
        from wangan.kernel import identity

        with self.rt.sessions.begin() as s:
            org = identity.create_organisation(
                s, SYSTEM, slug=slug or f"org-{uuid.uuid4().hex[:8]}", name=f"Org {slug or 'x'}",
                roles=list(roles), jurisdiction=jurisdiction, contact_email=contact)
        return org

    def user(self, org: Organisation | None, role: str = "analyst", email: str | None = None) -> User:
        from wangan.kernel import identity

        with self.rt.sessions.begin() as s:
            user, _ = identity.create_user(
                s, SYSTEM, email=email or f"u{uuid.uuid4().hex[:8]}@example.org", role=role,
                org_slug=org.slug if org else None, password=PASSWORD)
        return user

    def principal(self, user: User) -> Principal:
        with self.rt.sessions() as s:
            loaded = s.get(User, user.id)
            assert loaded is not None
            return principal_for(loaded)

    def token(self, user: User, scopes: list[str] | None = None) -> str:
        from wangan.kernel import identity

        with self.rt.sessions.begin() as s:
            loaded = s.get(User, user.id)
            assert loaded is not None
            _t, raw = identity.create_token(s, SYSTEM, loaded, scopes=scopes)
        return raw


@pytest.fixture
def factory(rt: Runtime) -> Factory:
    return Factory(rt)
