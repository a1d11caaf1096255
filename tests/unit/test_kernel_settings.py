"""Start-up refuses a known or short secret and names the variable; without one, a random secret
is generated once into an owner-only file in the data folder and reused on every later start."""

from __future__ import annotations

import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from tests.conftest import REPO
from tests.functional.cli import cli_for
from wangan.config import SECRET_FILE_NAME, ConfigError, Settings, load_settings
from wangan.runtime import build_runtime

GOOD_SECRET = "k7Qp2vX9sL4mN8rT1wY6zB3cF5hJ0dGa"


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    import os

    for name in list(os.environ):
        if name.startswith("WANGAN_"):
            monkeypatch.delenv(name)
    yield


@pytest.mark.parametrize("value", ["changeme", "CHANGEME", " changeme ", "secret", "wangan", "short-but-random-9"])
def test_known_default_or_short_secret_is_refused_naming_the_variable(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("WANGAN_SECRET_KEY", value)
    settings = load_settings(data_dir=tmp_path)

    with pytest.raises(ConfigError, match="WANGAN_SECRET_KEY"):
        settings.secret()


def test_build_runtime_refuses_the_default_secret(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                  engine: Engine) -> None:
    monkeypatch.setenv("WANGAN_SECRET_KEY", "changeme")
    with pytest.raises(ConfigError, match="WANGAN_SECRET_KEY"):
        build_runtime(load_settings(data_dir=tmp_path, rules_dir=REPO / "rules"), migrate=False, engine=engine)


def test_cli_exits_3_naming_the_variable(tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    with cli_for(database_url, tmp_path / "data", monkeypatch) as cli:
        result = cli("db", "upgrade", WANGAN_SECRET_KEY="changeme")
    assert result.exit_code == 3
    assert "WANGAN_SECRET_KEY" in result.stderr
    assert "changeme" not in result.stderr  # the secret itself is never echoed


def test_a_long_random_secret_is_used_as_given(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WANGAN_SECRET_KEY", GOOD_SECRET)
    settings = load_settings(data_dir=tmp_path)
    assert settings.secret() == GOOD_SECRET
    assert not (tmp_path / SECRET_FILE_NAME).exists()


def test_generated_secret_file_is_owner_only_and_reused(tmp_path: Path, engine: Engine) -> None:
    data = tmp_path / "data"

    first = build_runtime(Settings(data_dir=data, rules_dir=REPO / "rules"), migrate=False, engine=engine)
    path = data / SECRET_FILE_NAME
    mode = stat.S_IMODE(path.stat().st_mode)
    written = path.read_text(encoding="utf-8")
    second = build_runtime(Settings(data_dir=data, rules_dir=REPO / "rules"), migrate=False, engine=engine)

    assert mode == 0o600
    assert len(written.strip()) >= 32
    assert first.settings.secret() == second.settings.secret() == written.strip()
    assert path.read_text(encoding="utf-8") == written


def test_two_data_folders_get_different_secrets(tmp_path: Path) -> None:
    assert Settings(data_dir=tmp_path / "a").secret() != Settings(data_dir=tmp_path / "b").secret()


def test_secret_file_holding_a_default_is_refused_naming_the_file(tmp_path: Path) -> None:
    (tmp_path / SECRET_FILE_NAME).write_text("changeme\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=str(tmp_path / SECRET_FILE_NAME)):
        Settings(data_dir=tmp_path).secret()


def test_invalid_setting_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WANGAN_INTAKE_RATE_PER_MINUTE", "many")
    with pytest.raises(ConfigError, match="intake_rate_per_minute"):
        load_settings()


def test_bad_reminder_lead_hours_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WANGAN_REMINDER_LEAD_HOURS", "24,soon")
    with pytest.raises(ConfigError, match="WANGAN_REMINDER_LEAD_HOURS"):
        load_settings()
