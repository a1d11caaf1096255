"""Audit tags of the cybersecurity-review domain, ``domain:subject:action``."""

from __future__ import annotations

import enum


class ReviewTag(enum.StrEnum):
    CASE_CREATED = "reviews:case:created"
    CASE_UPDATED = "reviews:case:updated"
    CASE_TRANSITIONED = "reviews:case:transitioned"  # carries the clocks stopped, started or extended
    DOCUMENT_UPLOADED = "reviews:dossier:uploaded"
    PAUSE_STARTED = "reviews:pause:started"
    PAUSE_ENDED = "reviews:pause:ended"
    CLOCKS_RECOMPUTED = "reviews:clock:recomputed"  # the calendar changed under a running clock
    FACTOR_ASSESSED = "reviews:factor:assessed"
    REPORT_GENERATED = "reviews:report:generated"
    COMMITMENT_RECORDED = "reviews:commitment:recorded"
    SUPERVISION_ADDED = "reviews:supervision:added"
    SUPERVISION_DONE = "reviews:supervision:done"
    REMINDER_QUEUED = "reviews:case:reminder-queued"
