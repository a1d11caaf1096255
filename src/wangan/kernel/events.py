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
