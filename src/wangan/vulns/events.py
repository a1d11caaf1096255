"""Audit tags of the vulnerability domain, ``domain:subject:action``."""

from __future__ import annotations

import enum


class VulnTag(enum.StrEnum):
    REPORT_RECEIVED = "vulns:report:received"
    REPORT_DELETED = "vulns:report:deleted"
    REPORTS_PURGED = "vulns:report:purged"
    PRODUCT_CREATED = "vulns:product:created"
    CASE_CREATED = "vulns:case:created"
    CASE_UPDATED = "vulns:case:updated"
    CASE_TRANSITIONED = "vulns:case:transitioned"
    CASE_READ = "vulns:case:read"
    CASE_SHARED = "vulns:case:shared"
    CASE_SHARE_REVOKED = "vulns:case:share-revoked"
    PLATFORM_FILED = "vulns:platform:filed"
    UPSTREAM_NOTIFIED = "vulns:case:upstream-notified"
    DOWNSTREAM_NOTIFIED = "vulns:case:downstream-notified"
    NVDB_PACKET_GENERATED = "vulns:case:nvdb-packet-generated"
    NVDB_SUBMITTED = "vulns:case:nvdb-submitted"
    REMINDER_QUEUED = "vulns:case:reminder-queued"
    FINDING_REMINDER_QUEUED = "vulns:finding:reminder-queued"
    EVENT_WINDOW_CREATED = "vulns:event-window:created"
    EVENT_WINDOW_CONSENT = "vulns:event-window:consent-recorded"
    GATE_DECIDED = "vulns:gate:decided"
    ADVISORY_DRAFTED = "vulns:advisory:drafted"
    ADVISORY_UPDATED = "vulns:advisory:updated"
    ADVISORY_TRANSITIONED = "vulns:advisory:transitioned"
    ASSET_CREATED = "vulns:asset:created"
    FINDING_CREATED = "vulns:finding:created"
    FINDING_VERIFIED = "vulns:finding:verified"
    FINDING_FIXED = "vulns:finding:fixed"
    FINDING_DISMISSED = "vulns:finding:dismissed"
    FINDER_MESSAGE_POSTED = "vulns:case:finder-message-posted"
    PUBLICATION_REQUESTED = "vulns:case:publication-requested"
    PUBLICATION_REQUEST_DECIDED = "vulns:case:publication-request-decided"
