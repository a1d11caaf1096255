"""Typed domain errors. Domains raise these; adapters translate them once, at the edge."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class FieldProblem:
    """One thing wrong with one input field."""

    field: str
    message: str


class DomainError(Exception):
    """Base of every error a service raises on purpose.

    ``code`` is a stable machine-readable slug (it becomes the problem ``type``); ``title`` is
    short, ``detail`` says what exactly went wrong and how to fix it.
    """

    status = 400
    code = "invalid"
    title = "Invalid request"
    # The refusal is itself a record worth keeping (a gate decision written to the audit log just
    # before raising): the unit of work commits instead of rolling back. Services raising such an
    # error must have changed nothing else in the transaction.
    keeps_record = False

    def __init__(self, detail: str, *, problems: list[FieldProblem] | None = None,
                 extra: dict[str, Any] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.problems = problems or []
        self.extra = extra or {}


class Invalid(DomainError):
    status = 422
    code = "validation-failed"
    title = "The input is not valid"


class NotFound(DomainError):
    status = 404
    code = "not-found"
    title = "Not found"


class Unauthenticated(DomainError):
    status = 401
    code = "unauthenticated"
    title = "Authentication required"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"
    title = "Not allowed"


class Conflict(DomainError):
    status = 409
    code = "conflict"
    title = "Conflict with the current state"


class RetentionLocked(Conflict):
    code = "retention-locked"
    title = "The record is still under its retention period"


class TooLarge(DomainError):
    status = 413
    code = "too-large"
    title = "Content too large"


class RateLimited(DomainError):
    status = 429
    code = "rate-limited"
    title = "Too many requests"


@dataclass
class ErrorList:
    """Collects field problems so a caller sees all of them at once, not the first only."""

    problems: list[FieldProblem] = field(default_factory=list)

    def add(self, field_name: str, message: str) -> None:
        self.problems.append(FieldProblem(field_name, message))

    def raise_if_any(self, detail: str) -> None:
        if self.problems:
            raise Invalid(detail, problems=self.problems)
