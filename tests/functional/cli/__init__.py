"""Helpers of the CLI tests: run ``wangan`` in-process (Typer's CliRunner) against the test database."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from click.testing import Result
from typer.testing import CliRunner

from tests.conftest import REPO
from wangan.cli import common
from wangan.cli.main import app
from wangan.kernel import auth
from wangan.runtime import Runtime


@dataclass
class Cli:
    """Runs ``wangan ARGS`` with a clean ``WANGAN_*`` environment pointing at the test database."""

    env: dict[str, str]
    runtimes: list[Runtime] = field(default_factory=list)

    def __call__(self, *args: str, input: str | None = None, **env: str) -> Result:
        result = CliRunner().invoke(app, list(args), input=input, env={**self.env, **env}, catch_exceptions=False)
        # Each command builds its own engine; close it so no connection outlives the command.
        while self.runtimes:
            self.runtimes.pop().dispose()
        return result


@contextmanager
def cli_for(database_url: str, data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Cli]:
    for name in list(os.environ):
        if name.startswith("WANGAN_"):
            monkeypatch.delenv(name)
    cli = Cli(env={"WANGAN_DATABASE_URL": database_url, "WANGAN_DATA_DIR": str(data_dir),
                   "WANGAN_RULES_DIR": str(REPO / "rules"), "WANGAN_ENV": "test"})
    real_build = common.build_runtime

    def recording_build(*args: Any, **kwargs: Any) -> Runtime:
        rt = real_build(*args, **kwargs)
        cli.runtimes.append(rt)
        return rt

    monkeypatch.setattr(common, "build_runtime", recording_build)
    # Users made here are not about password hashing: cheapest Argon2 parameters, same algorithm.
    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    yield cli


def lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]
