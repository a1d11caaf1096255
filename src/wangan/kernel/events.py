"""Audit tags of the kernel, ``domain:subject:action``."""

from __future__ import annotations

import enum


class KernelTag(enum.StrEnum):
    ORG_CREATED = "kernel:org:created"
    USER_CREATED = "kernel:user:created"
    USER_PASSWORD_CHANGED = "kernel:user:password-changed"
    USER_LOGGED_IN = "kernel:user:logged-in"
    TOKEN_CREATED = "kernel:token:created"
    TOKEN_REVOKED = "kernel:token:revoked"
    OUTBOX_GAVE_UP = "kernel:outbox:gave-up"
    # The PRC working-day calendar: administrators' overrides and confirmed years (kernel.workday_overrides).
    CALENDAR_OVERRIDE_ADDED = "kernel:calendar-override:added"
    CALENDAR_OVERRIDE_REMOVED = "kernel:calendar-override:removed"
    CALENDAR_YEAR_CONFIRMED = "kernel:calendar-year:confirmed"
