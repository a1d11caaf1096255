"""Audit tags of the Action Plan monitor, ``domain:subject:action``."""

from __future__ import annotations

import enum


class IndicatorTag(enum.StrEnum):
    PLAN_UPLOADED = "indicators:plan:uploaded"
    PLAN_REPLACED = "indicators:plan:replaced"
    PLAN_DELETED = "indicators:plan:deleted"
    OBSERVATION_ADDED = "indicators:observation:added"
    OBSERVATION_DELETED = "indicators:observation:deleted"
    OBSERVATIONS_IMPORTED = "indicators:observation:imported"
    ENTERPRISE_SAVED = "indicators:enterprise:saved"
    ENTERPRISE_DELETED = "indicators:enterprise:deleted"
    ENTERPRISES_IMPORTED = "indicators:enterprise:imported"
    INVESTMENT_SAVED = "indicators:investment:saved"
    INVESTMENT_DELETED = "indicators:investment:deleted"
    INVESTMENTS_IMPORTED = "indicators:investment:imported"
    TASK_UPDATED = "indicators:task:updated"
    TASK_PROGRESS = "indicators:task:progress"
    CONSULTATION_CREATED = "indicators:consultation:created"
    CONSULTATION_UPDATED = "indicators:consultation:updated"
    CONSULTATION_PUBLISHED = "indicators:consultation:published"
    COMMENT_SUBMITTED = "indicators:comment:submitted"
    COMMENT_MODERATED = "indicators:comment:moderated"
    REPORT_EXPORTED = "indicators:report:exported"
