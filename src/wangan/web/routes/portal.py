"""The public advisory portal (Art. 9): list, advisory page, Atom feed and public downloads.

No sign-in. Every page here is built from ``advisories.public_view`` — the latest published
revision, frozen when it passed the gate — never from the advisory's live fields, so an edit made
after publication stays internal until it is published again. Filters and ordering use the
published snapshot too, so a search cannot reveal an unpublished edit either."""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from typing import Any
from xml.etree import ElementTree as ET

from fastapi import APIRouter
from starlette.responses import Response

from wangan.downloads import attachment_headers
from wangan.errors import NotFound
from wangan.vulns import advisories
from wangan.vulns.models import AdvisoryAttachment, AttachmentKind
from wangan.web.core import Web, WebDep
from wangan.web.paging import Pager
from wangan.web.rendering import iso

router = APIRouter()

PAGE_SIZE = 20
FEED_SIZE = 50
# The public list is filtered on published snapshots, so it reads at most this many advisories.
SEVERITIES = ("critical", "high", "medium", "low")
ATOM_NS = "http://www.w3.org/2005/Atom"
ATOM_TYPE = "application/atom+xml; charset=utf-8"
# Characters XML 1.0 does not allow at all; an advisory text pasted from a terminal may hold them.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def public_updated(view: dict[str, Any]) -> datetime:
    """The last public change: the latest published revision, or the withdrawal after it."""
    updated: datetime = view["updated_at"]
    withdrawn: datetime | None = view["withdrawn_at"]
    return max(updated, withdrawn) if withdrawn is not None else updated


def severity_of(view: dict[str, Any]) -> dict[str, Any] | None:
    """The CVSS block shown first: 4.0 when published, else 3.1."""
    found: dict[str, Any] | None = view.get("cvss40") or view.get("cvss31")
    return found


@router.get("/advisories")
def portal_list(web: WebDep, q: str = "", severity: str = "", page: str = "1") -> Response:
    q = q.strip()[:200]
    severity = severity if severity in SEVERITIES else ""
    pager = Pager.of(page, PAGE_SIZE)
    views, total = advisories.public_views(web.db, q=q, severity=severity, limit=pager.size, offset=pager.offset)
    return web.render("portal/list.html", {
        "items": views, "pager": pager.with_total(total),
        "filters": {"q": q, "severity": severity}, "severities": SEVERITIES, "severity_of": severity_of,
        "public_updated": public_updated,
    })


@router.get("/advisories.atom")
def atom_feed(web: WebDep) -> Response:
    """RFC 4287 feed of published advisories and of withdrawals, so feed readers learn of both."""
    views, _ = advisories.public_views(web.db, limit=FEED_SIZE)
    base = web.rt.settings.base_url
    feed = ET.Element("feed", {"xmlns": ATOM_NS, "{http://www.w3.org/XML/1998/namespace}lang":
                               "zh-CN" if web.lang == "zh" else "en"})
    _text(feed, "id", f"{base}/advisories.atom")
    _text(feed, "title", f"{web.rt.settings.instance_name} — {web.t('portal.title')}")
    _text(feed, "subtitle", web.t("portal.feed_subtitle"))
    _text(feed, "updated", iso(max((public_updated(v) for v in views), default=web.now())))
    ET.SubElement(feed, "link", {"rel": "self", "type": "application/atom+xml", "href": f"{base}/advisories.atom"})
    ET.SubElement(feed, "link", {"rel": "alternate", "type": "text/html", "href": f"{base}/advisories"})
    author = ET.SubElement(feed, "author")
    _text(author, "name", web.rt.settings.instance_name)
    _text(feed, "generator", "wangan")
    for view in views:
        _entry(web, feed, view, base)
    body = ET.tostring(feed, encoding="utf-8", xml_declaration=True)
    return Response(body, media_type=ATOM_TYPE,
                    headers={"Cache-Control": "public, max-age=300", "Vary": "Accept-Language"})


def _text(parent: ET.Element, tag: str, value: str, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attrs)
    element.text = NOT_XML.sub("", value)
    return element


def _entry(web: Web, feed: ET.Element, view: dict[str, Any], base: str) -> None:
    number = view["number"]
    url = f"{base}/advisories/{number}"
    entry = ET.SubElement(feed, "entry")
    _text(entry, "id", url)
    withdrawn = view["status"] == "withdrawn"
    title = f"[{web.t('portal.withdrawn')}] {view['title']}" if withdrawn else view["title"]
    _text(entry, "title", f"{number}: {title}")
    ET.SubElement(entry, "link", {"rel": "alternate", "type": "text/html", "href": url})
    _text(entry, "published", iso(view["published_at"] or view["updated_at"]))
    _text(entry, "updated", iso(public_updated(view)))
    ET.SubElement(entry, "category", {"term": view["status"], "label": web.t(f"adv_state.{view['status']}")})
    cvss = severity_of(view)
    if cvss and cvss.get("severity"):
        ET.SubElement(entry, "category", {"term": f"severity:{str(cvss['severity']).lower()}",
                                          "label": web.t(f"sev.{str(cvss['severity']).lower()}")})
    if withdrawn:
        reason = view.get("withdrawn_reason") or ""
        _text(entry, "summary", web.t("portal.withdrawn_summary", reason=reason), type="text")
        return
    _text(entry, "summary", (view.get("description") or "")[:500], type="text")
    parts = [view.get("description") or ""]
    if view.get("affected"):
        parts.append(f"{web.t('field.affected')}:\n{view['affected']}")
    if view.get("fix"):
        parts.append(f"{web.t('field.fix_or_mitigation')}:\n{view['fix']}")
    if view.get("references"):
        parts.append(f"{web.t('field.references')}:\n" + "\n".join(view["references"]))
    _text(entry, "content", "\n\n".join(p for p in parts if p), type="text")


@router.get("/advisories/{number}")
def portal_page(number: str, web: WebDep) -> Response:
    advisory = advisories.get_published(web.db, number)
    view = advisories.public_view(advisory)
    internal = not web.principal.is_anonymous and web.principal.may_read_in(advisory.org_id)
    return web.render("portal/detail.html", {
        "v": view, "cvss": [c for c in (view.get("cvss40"), view.get("cvss31")) if c],
        "internal": internal, "updated": public_updated(view)})


@router.get("/advisories/{number}/attachments/{attachment_id}")
def portal_download(number: str, attachment_id: str, web: WebDep) -> Response:
    att = public_attachment(web, number, attachment_id)
    return Response(att.data, media_type="application/octet-stream", headers=attachment_headers(att.filename))


def public_attachment(web: Web, number: str, attachment_id: str) -> AdvisoryAttachment:
    """Only an attachment listed in the latest published revision, unchanged since, never an exploit."""
    missing = NotFound(f"no attachment {attachment_id} on a published advisory {number}")
    try:
        wanted = uuid.UUID(attachment_id)
    except ValueError:
        raise missing from None
    advisory = advisories.get_published(web.db, number)
    listed = {a["id"]: a for a in advisories.public_view(advisory).get("attachments") or []}
    entry = listed.get(str(wanted))
    att = next((a for a in advisory.attachments if a.id == wanted), None)
    if entry is None or att is None or att.kind is AttachmentKind.EXPLOIT or att.sha256 != entry["sha256"]:
        raise missing
    return att
