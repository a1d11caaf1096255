"""What every command shares: building the runtime and turning errors into messages and exit codes."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import ParamSpec, TypeVar

import typer
from sqlalchemy.orm import Session

from wangan.config import ConfigError, load_settings
from wangan.db import unit_of_work
from wangan.errors import DomainError
from wangan.kernel import identity
from wangan.kernel.auth import Principal, principal_for
from wangan.kernel.rules import RulesError
from wangan.runtime import Runtime, build_runtime

P = ParamSpec("P")
R = TypeVar("R")

EXIT_INVALID = 2
EXIT_CONFIG = 3
EXIT_CONFLICT = 4
EXIT_NOT_FOUND = 5
EXIT_FAILED = 1
EXIT_FORBIDDEN = 6


def fail(message: str, code: int = EXIT_FAILED) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


def runtime(migrate: bool = True) -> Runtime:
    try:
        return build_runtime(load_settings(), migrate=migrate)
    except (ConfigError, RulesError) as exc:
        raise fail(str(exc), EXIT_CONFIG) from exc


@contextmanager
def transaction(rt: Runtime) -> Iterator[Session]:
    with unit_of_work(rt.sessions) as session:
        session.info[_COLLECTION_PLATFORM] = rt.settings.collection_platform
        yield session


_COLLECTION_PLATFORM = "wangan.cli.collection_platform"


def principal_as(session: Session, email: str) -> Principal:
    """The principal of the user named by ``--as``, with the instance's need-to-know setting (a
    collection platform restricts undisclosed records to their members, on the command line too)."""
    return principal_for(identity.get_user_by_email(session, email),
                         on_collection_platform=bool(session.info.get(_COLLECTION_PLATFORM, False)))


def handle_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Translate domain and start-up errors into one line on stderr and a specific exit code."""

    @wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except DomainError as exc:
            code = {401: EXIT_FORBIDDEN, 403: EXIT_FORBIDDEN, 404: EXIT_NOT_FOUND,
                    409: EXIT_CONFLICT}.get(exc.status, EXIT_INVALID)
            details = "".join(f"\n  {p.field}: {p.message}" for p in exc.problems)
            raise fail(f"{exc.detail}{details}", code) from exc
        except (ConfigError, RulesError) as exc:
            raise fail(str(exc), EXIT_CONFIG) from exc

    return wrapper


def read_secret_from_stdin() -> str | None:
    """A password piped on stdin (first line), or None when stdin is a terminal or empty."""
    if sys.stdin is None or sys.stdin.isatty():
        return None
    line = sys.stdin.readline().rstrip("\r\n")
    return line or None
