"""Advisories inside the organisation (Art. 9): list, draft from a case, edit, attachments, the
review actions and the publication gate's dry run beside them.

Everything here is under ``/manage/advisories`` and needs a signed-in member of the owning
organisation; what the public sees is in ``portal.py``."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter
from starlette.responses import Response

from wangan.downloads import attachment_headers
from wangan.errors import Conflict, Forbidden, Invalid, NotFound
from wangan.kernel.models import UserRole
from wangan.kernel.numbers import whole_number
from wangan.vulns import advisories
from wangan.vulns.gate import Decision
from wangan.vulns.models import Advisory, AdvisoryState, AttachmentKind
from wangan.web.core import FormDep, UserDep, Web, files, text
from wangan.web.forms import FormState, parse_local_datetime
from wangan.web.rendering import dtlocal

router = APIRouter()

BASE = "/manage/advisories"
TEXT = ("title", "description", "affected", "fix", "cwe", "cvss31_vector", "cvss40_vector", "credits",
        "evaluation_result")  # evaluation_result is a select: "", permitted or refused
TIMES = ("joint_assessment_at", "reported_to_miit_mps_at", "evaluated_at")
MANAGER_ACTIONS = frozenset({"approve", "publish", "withdraw"})
KINDS = tuple(k.value for k in AttachmentKind)
# Where the form fixes what a gate rule says is missing: an anchor on the advisory page.
MISSING_ANCHOR: dict[str, str] = {
    "early_release.joint_assessment_at": "f-joint_assessment_at",
    "early_release.reported_to_miit_mps_at": "f-reported_to_miit_mps_at",
    "early_release.evaluation_result": "f-evaluation_result",
    "early_release.evaluated_at": "f-evaluated_at",
    "content.fix_or_mitigation": "f-fix",
    "content.computed_severity": "f-cvss31_vector",
}
HELD_RE = re.compile(r"^content\.attachments\[(\d+)\]\.human_cleared$")


@dataclass(frozen=True)
class Missing:
    """One thing a rule needs recorded, with a label in the page's language and where to fix it."""

    code: str
    label: str
    anchor: str | None


@dataclass(frozen=True)
class RuleRow:
    rule_id: str
    title: str
    article: str
    status: str
    outcome: str
    reason: str
    missing: list[Missing]


@dataclass(frozen=True)
class GateView:
    outcome: str
    rules_id: str
    rules_version: int
    rows: list[RuleRow]


def gate_view(web: Web, decision: dict[str, Any], advisory: Advisory | None = None) -> GateView:
    """A decision (``Decision.to_dict()``) ready for the page, in the page's language. Without an
    advisory (a case shared or forwarded), what is missing is named but not linked."""
    defs = {r.id: r for r in web.rt.gate_rules.file.rules}
    rows = []
    for result in decision["results"]:
        rule = defs.get(result["rule_id"])
        title = (rule.title_zh if web.lang == "zh" else rule.title_en) if rule else result["rule_id"]
        rows.append(RuleRow(
            rule_id=result["rule_id"], title=title, article=rule.article if rule else "",
            status=rule.status if rule else "", outcome=result["outcome"],
            reason=result["reason_zh"] if web.lang == "zh" else result["reason_en"],
            missing=[_missing(web, code, advisory) for code in result["missing"]]))
    return GateView(outcome=decision["outcome"], rules_id=decision["rules"]["id"],
                    rules_version=decision["rules"]["version"], rows=rows)


def _missing(web: Web, code: str, advisory: Advisory | None) -> Missing:
    anchor = MISSING_ANCHOR.get(code)
    if anchor is not None:
        name = anchor.removeprefix("f-")
        label = web.t("field.fix_or_mitigation" if name == "fix" else f"field.{name}")
        return Missing(code, label, anchor if advisory is not None else None)
    held = HELD_RE.match(code)
    if held and advisory is not None and int(held.group(1)) < len(advisory.attachments):
        att = advisory.attachments[int(held.group(1))]
        return Missing(code, web.t("gate.held", name=att.filename), f"att-{att.id}")
    if code.startswith("windows["):
        return Missing(code, web.t("gate.window_consent"), None)
    return Missing(code, code, None)


# --- list and draft ---

@router.get(BASE)
def list_advisories(web: UserDep) -> Response:
    rows = advisories.list_advisories(web.db, web.principal)
    return web.render("advisories/list.html", {
        "advisories": rows, "may_draft": web.principal.org_id is not None or web.principal.is_admin,
        "form": FormState()})


@router.post(f"{BASE}/new")
def draft(web: UserDep, form: FormDep) -> Response:
    """Start an advisory from a case (the case page and the list page both post here)."""
    state = FormState(values={"case": text(form, "case").strip()[:100]})
    status = 422
    if not state.get("case"):
        state.add("case", web.t("adv.no_case"))
    else:
        try:
            advisory = advisories.draft_from_case(web.db, web.principal, state.get("case"))
        except (NotFound, Forbidden) as exc:
            web.rollback(exc)
            status = exc.status
            state.add("case", web.t("adv.no_case") if isinstance(exc, NotFound) else web.dt(exc.detail))
        else:
            web.flash("adv.drafted", number=advisory.number)
            return web.redirect(f"{BASE}/{advisory.number}")
    state.message = web.t("adv.not_drafted")
    return web.render("advisories/list.html", {
        "advisories": advisories.list_advisories(web.db, web.principal), "may_draft": True, "form": state},
        status=status)


# --- the advisory page ---

def _values(advisory: Advisory) -> dict[str, str]:
    values = {name: str(getattr(advisory, name) or "") for name in TEXT}
    values.update({name: dtlocal(getattr(advisory, name)) for name in TIMES})
    values["references"] = "\n".join(advisory.references)
    values["in_operator_system"] = "1" if advisory.in_operator_system else ""
    values["version"] = str(advisory.version)
    return values


def _is_manager(web: Web) -> bool:
    return web.principal.is_admin or web.principal.role is UserRole.MANAGER


def _page(web: Web, number: str, *, forms: dict[str, FormState] | None = None,
          refusal: dict[str, Any] | None = None, status: int = 200) -> Response:
    advisory = advisories.get_advisory(web.db, web.principal, number)
    forms = dict(forms or {})
    forms.setdefault("edit", FormState(values=_values(advisory)))
    forms.setdefault("action", FormState())
    forms.setdefault("attach", FormState(values={"kind": "patch"}))
    may_write = web.principal.may_write_in(advisory.org_id) and advisory.state is not AdvisoryState.WITHDRAWN
    actions = [(name, name in MANAGER_ACTIONS and not _is_manager(web))
               for name, (sources, _) in advisories.MOVES.items() if advisory.state in sources]
    check: GateView | None = None
    if advisory.state is not AdvisoryState.WITHDRAWN:
        decision: Decision = advisories.check(web.db, web.principal, web.rt.gate_rules, advisory.id, at=web.now())
        check = gate_view(web, decision.to_dict(), advisory)
    held = {m.anchor.removeprefix("att-") for row in (check.rows if check else []) for m in row.missing
            if m.anchor and m.anchor.startswith("att-")}
    return web.render("advisories/detail.html", {
        "adv": advisory, "forms": forms, "may_write": may_write, "is_manager": _is_manager(web),
        "actions": actions, "check": check, "held": held,
        "kinds_options": [(k, web.t(f"att_kind.{k}")) for k in KINDS],
        "evaluation_options": [(v, web.t(f"evaluation.{v}")) for v in advisories.EVALUATION_RESULTS if v],
        "refusal": gate_view(web, refusal, advisory) if refusal else None,
        "revisions": list(advisory.revisions),
    }, status=status)


@router.get(f"{BASE}/{{number}}")
def show(number: str, web: UserDep) -> Response:
    return _page(web, number)


def _version(raw: str) -> int | None:
    return whole_number(raw)


@router.post(f"{BASE}/{{number}}/edit")
def edit(number: str, web: UserDep, form: FormDep) -> Response:
    names = (*TEXT, *TIMES, "references", "version")
    state = FormState(values={n: text(form, n) for n in names})
    state.values["in_operator_system"] = "1" if text(form, "in_operator_system") else ""
    current = _values(advisories.get_advisory(web.db, web.principal, number))
    changes: dict[str, Any] = {}
    for name in TEXT:
        if state.get(name) != current[name]:
            changes[name] = state.get(name)
    for name in TIMES:  # the input shows minutes: an unchanged value keeps its seconds
        if state.get(name) != current[name]:
            try:
                changes[name] = parse_local_datetime(state.get(name)) if state.get(name).strip() else None
            except ValueError:
                state.add(name, web.t("form.bad_datetime"))
    refs = [line.strip() for line in state.get("references").splitlines() if line.strip()]
    if refs != [line for line in current["references"].splitlines() if line]:
        changes["references"] = refs
    if state.get("in_operator_system") != current["in_operator_system"]:
        changes["in_operator_system"] = bool(state.get("in_operator_system"))
    if state.errors:
        state.message = web.t("form.fix_errors")
        return _page(web, number, forms={"edit": state}, status=422)
    if not changes:
        web.flash("adv.unchanged")
        return web.redirect(f"{BASE}/{number}")
    try:
        advisory = advisories.update_advisory(web.db, web.principal, number, changes,
                                              expected_version=_version(state.get("version")))
    except Conflict as exc:
        web.rollback(exc)
        state.absorb(exc, web.dt)
        if "current_version" in exc.extra:  # someone else saved first: saving again overwrites knowingly
            state.values["version"] = str(exc.extra["current_version"])
            state.message = f"{state.message} {web.t('adv.conflict_hint')}"
        return _page(web, number, forms={"edit": state}, status=exc.status)
    except Invalid as exc:
        web.rollback(exc)
        state.absorb(exc, web.dt)
        return _page(web, number, forms={"edit": state}, status=exc.status)
    web.flash("case.saved")
    return web.redirect(f"{BASE}/{advisory.number}#content")


@router.post(f"{BASE}/{{number}}/transition")
def transition(number: str, web: UserDep, form: FormDep) -> Response:
    action = text(form, "action")
    state = FormState(values={"note": text(form, "note")})
    try:
        advisory = advisories.transition(web.db, web.principal, web.rt.gate_rules, number, action,
                                         note=state.get("note"), expected_version=_version(text(form, "version")),
                                         at=web.now())
    except advisories.GateRefused as exc:
        web.db.commit()  # keep the audit record of the refusal; nothing else changed
        state.message = web.t("gate.refused_body")
        return _page(web, number, forms={"action": state}, refusal=exc.decision.to_dict(), status=exc.status)
    except (Invalid, Conflict) as exc:
        web.rollback(exc)
        state.absorb(exc, web.dt)
        return _page(web, number, forms={"action": state}, status=exc.status)
    if action == "publish":
        web.flash("adv.published", n=advisory.revision)
    else:
        web.flash("adv.moved", state=web.t(f"adv_state.{advisory.state.value}"))
    return web.redirect(f"{BASE}/{advisory.number}")


@router.post(f"{BASE}/{{number}}/attachments")
def attach(number: str, web: UserDep, form: FormDep) -> Response:
    kind = text(form, "kind")
    state = FormState(values={"kind": kind})
    uploads = files(form, "file")
    if not uploads:
        state.add("file", web.t("adv.choose_file"))
        return _page(web, number, forms={"attach": state}, status=422)
    upload = uploads[0]
    try:
        att = advisories.add_attachment(
            web.db, web.principal, number, filename=upload.filename or "file", kind=kind,
            content_type=upload.content_type or "application/octet-stream",
            data=upload.file.read(advisories.MAX_ATTACHMENT + 1))
    except (Invalid, Conflict) as exc:
        web.rollback(exc)
        state.absorb(exc, web.dt)
        return _page(web, number, forms={"attach": state}, status=exc.status)
    web.flash("adv.attachment_added", name=att.filename)
    return web.redirect(f"{BASE}/{number}#attachments")


def _attachment_id(raw: str) -> uuid.UUID:
    try:
        return uuid.UUID(raw)
    except ValueError:
        raise NotFound(f"no attachment {raw}") from None


@router.post(f"{BASE}/{{number}}/attachments/{{attachment_id}}/clear")
def clear(number: str, attachment_id: str, web: UserDep) -> Response:
    try:
        att = advisories.clear_attachment(web.db, web.principal, number, _attachment_id(attachment_id))
    except Conflict as exc:
        web.rollback(exc)
        state = FormState()
        state.absorb(exc, web.dt)
        return _page(web, number, forms={"attach": state}, status=exc.status)
    web.flash("adv.attachment_cleared", name=att.filename)
    return web.redirect(f"{BASE}/{number}#attachments")


@router.get(f"{BASE}/{{number}}/attachments/{{attachment_id}}")
def download(number: str, attachment_id: str, web: UserDep) -> Response:
    advisory = advisories.get_advisory(web.db, web.principal, number)
    wanted = _attachment_id(attachment_id)
    att = next((a for a in advisory.attachments if a.id == wanted), None)
    if att is None:
        raise NotFound(f"no attachment {attachment_id} on {advisory.number}")
    return Response(att.data, media_type="application/octet-stream", headers=attachment_headers(att.filename))
