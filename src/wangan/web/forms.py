"""Form state for re-rendering: what the user typed, and what is wrong with it, field by field."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from wangan.errors import DomainError
from wangan.kernel.calendar import BEIJING


@dataclass
class FormState:
    """One form on a page: its values, per-field errors and a summary message.

    ``values`` wins over the record being edited, so a refused form comes back exactly as sent."""

    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)
    message: str = ""

    def add(self, name: str, message: str) -> None:
        self.errors.setdefault(name, []).append(message)

    def get(self, name: str, default: str = "") -> str:
        return self.values.get(name, default)

    @property
    def failed(self) -> bool:
        return bool(self.errors or self.message)

    def absorb(self, exc: DomainError, translate: Callable[[str], str] = str) -> None:
        """Take the error's detail as the summary and its problems as field errors."""
        self.message = translate(exc.detail)
        for problem in exc.problems:
            self.add(problem.field, translate(problem.message))


def parse_local_datetime(value: str) -> datetime:
    """An ``<input type=datetime-local>`` value, read as Beijing time, returned in UTC.

    Raises ``ValueError`` for anything that is not a date and time."""
    text = value.strip()
    if not text:
        raise ValueError("empty")
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=BEIJING)
    return parsed.astimezone(UTC)
