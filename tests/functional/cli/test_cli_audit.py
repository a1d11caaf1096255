"""``wangan audit verify``: exit 0 on an intact chain; exit 1 naming each edited or missing row."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select, text

from tests.conftest import Factory
from tests.functional.cli import Cli, cli_for
from wangan.kernel.models import AuditEvent
from wangan.runtime import Runtime


@pytest.fixture
def cli(rt: Runtime, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Cli]:
    with cli_for(database_url, tmp_path / "cli-data", monkeypatch) as c:
        yield c


def some_history(factory: Factory) -> list[int]:
    """Organisations, users and tokens: eight audit events. Returns their ids."""
    for slug in ("alpha-org", "beta-org"):
        org = factory.org(slug)
        user = factory.user(org)
        factory.token(user)
        factory.token(user)
    with factory.rt.sessions() as s:
        return list(s.execute(select(AuditEvent.id).order_by(AuditEvent.id)).scalars())


def test_intact_chain_exits_0_with_the_row_count(cli: Cli, factory: Factory) -> None:
    ids = some_history(factory)

    result = cli("audit", "verify")

    assert result.exit_code == 0, result.output
    assert f"audit chain intact: {len(ids)} row(s) verified" in result.stdout


def test_edited_row_exits_1_and_names_the_row(rt: Runtime, cli: Cli, factory: Factory) -> None:
    ids = some_history(factory)
    victim = ids[3]
    with rt.engine.begin() as conn:
        conn.execute(text("UPDATE audit_events SET actor_label = 'someone else' WHERE id = :id"), {"id": victim})

    result = cli("audit", "verify")

    assert result.exit_code == 1
    assert f"TAMPERED row {victim}:" in result.stderr
    assert "1 problem(s)" in result.stderr
    assert "intact" not in result.stdout


def test_edited_tag_exits_1_and_names_the_row(rt: Runtime, cli: Cli, factory: Factory) -> None:
    ids = some_history(factory)
    with rt.engine.begin() as conn:
        conn.execute(text("UPDATE audit_events SET tag = 'kernel:user:created' WHERE id = :id"), {"id": ids[-1]})

    result = cli("audit", "verify")

    assert result.exit_code == 1
    assert f"TAMPERED row {ids[-1]}:" in result.stderr


def test_deleted_row_exits_1_and_names_the_gap(rt: Runtime, cli: Cli, factory: Factory) -> None:
    ids = some_history(factory)
    gone = ids[4]
    with rt.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_events WHERE id = :id"), {"id": gone})

    result = cli("audit", "verify")

    assert result.exit_code == 1
    assert f"TAMPERED row {gone + 1}: event {gone} deleted" in result.stderr


def test_rehashed_row_still_breaks_the_link_to_the_next(rt: Runtime, cli: Cli, factory: Factory) -> None:
    """Recomputing the edited row's own hash is not enough: the next row still points at the old one."""
    from wangan.kernel.audit import compute_hash

    ids = some_history(factory)
    with rt.sessions.begin() as s:
        event = s.get(AuditEvent, ids[2])
        assert event is not None
        event.actor_label = "forger"
        event.hash = compute_hash(event)

    result = cli("audit", "verify")

    assert result.exit_code == 1
    assert f"TAMPERED row {ids[3]}:" in result.stderr
