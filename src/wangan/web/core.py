"""Per-request context of the web UI: database session, signed-in user, language, CSRF, rendering.

One database transaction per request: the ``web`` dependency opens it, the handler calls services,
and the dependency commits once when the handler returned (or rolls back when it raised)."""

from __future__ import annotations

import hmac
import re
import secrets
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session
from starlette.datastructures import FormData, UploadFile
from starlette.responses import Response
from starlette.templating import Jinja2Templates

from wangan.db import unit_of_work
from wangan.errors import DomainError, Forbidden, TooLarge, Unauthenticated
from wangan.kernel import identity
from wangan.kernel.auth import ANONYMOUS, Principal, principal_for
from wangan.kernel.models import User
from wangan.kernel.numbers import whole_number
from wangan.runtime import Runtime
from wangan.web import i18n
from wangan.web.rendering import clock_view, duration_parts

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_FIELD = "csrf_token"
SESSION_USER = "uid"
SESSION_EPOCH = "epoch"
SESSION_CSRF = "csrf"
SESSION_FLASH = "flash"
# Forms whose handler refuses a bad CSRF token itself, by showing the form again with the input kept:
# the public report form, where an expired session must not cost a finder their write-up.
CSRF_SOFT_PATHS = frozenset({"/report"})
# The same for the public comment form of every consultation.
CSRF_SOFT_PATTERN = re.compile(r"/consultations/[a-z0-9-]{3,80}/comments")


class LoginRequired(Unauthenticated):
    """A page needs a signed-in user; the browser is sent to the login page, then back."""

    def __init__(self, next_path: str) -> None:
        super().__init__("sign in to see this page")
        self.next_path = next_path


class CsrfFailed(Forbidden):
    code = "csrf-failed"
    title = "The form was not sent from this site, or it expired"


def safe_next(value: str | None, default: str = "/") -> str:
    """Only a path on this site: ``/cases?x=1``; never ``//host``, ``/\\host`` or a scheme."""
    if not value or not value.startswith("/") or value.startswith(("//", "/\\")):
        return default
    if any(c in value for c in ("\r", "\n", "\\")) or ":" in value.split("?", 1)[0]:
        return default
    return value


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def runtime_of(request: Request) -> Runtime:
    rt: Runtime = request.app.state.runtime
    return rt


def templates_of(request: Request) -> Jinja2Templates:
    templates: Jinja2Templates = request.app.state.web_templates
    return templates


def session_user(db: Session, request: Request) -> User | None:
    """The user of the browser session, if the session is still valid.

    A session ends when the user is deactivated or their ``session_epoch`` moved on (sign out
    everywhere, password change)."""
    if "session" not in request.scope:
        return None
    raw = request.session.get(SESSION_USER)
    if not isinstance(raw, str):
        return None
    try:
        user = db.get(User, uuid.UUID(raw))
    except ValueError:
        user = None
    if user is None or not user.is_active or request.session.get(SESSION_EPOCH) != user.session_epoch:
        request.session.pop(SESSION_USER, None)
        request.session.pop(SESSION_EPOCH, None)
        return None
    return user


def any_demo(rt: Runtime, db: Session) -> bool:
    return rt.settings.demo or identity.any_demo_organisation(db)


@dataclass
class Web:
    """What a web handler needs: runtime, transaction, who is asking, and how to answer."""

    request: Request
    rt: Runtime
    db: Session
    user: User | None = None
    lang: str = i18n.DEFAULT
    principal: Principal = ANONYMOUS
    _demo: bool | None = field(default=None, repr=False)

    @classmethod
    def build(cls, request: Request, rt: Runtime, db: Session) -> Web:
        user = session_user(db, request)
        return cls(request=request, rt=rt, db=db, user=user, lang=i18n.pick_language(request),
                   principal=principal_for(user, on_collection_platform=rt.settings.collection_platform)
                   if user else ANONYMOUS)

    # --- helpers ---

    def now(self) -> datetime:
        return self.rt.clock.now()

    def t(self, key: str, **values: object) -> str:
        return i18n.translate(self.lang, key, **values)

    def dt(self, message: str) -> str:
        """A message written by a domain service, in the page's language where known."""
        return i18n.domain_text(self.lang, message)

    def rollback(self, exc: DomainError | None = None) -> None:
        """Undo what a failed service call changed before the page is rendered again.

        A refusal that is itself a record (``exc.keeps_record``: a gate decision in the audit log)
        is committed instead, so it stays on record whatever the page shows next (Art. 11)."""
        if exc is not None and exc.keeps_record:
            self.db.commit()
        else:
            self.db.rollback()

    def csrf_token(self) -> str:
        token = self.request.session.get(SESSION_CSRF)
        if not isinstance(token, str):
            token = secrets.token_urlsafe(32)
            self.request.session[SESSION_CSRF] = token
        return token

    def flash(self, key: str, kind: str = "ok", **values: object) -> None:
        messages = list(self.request.session.get(SESSION_FLASH, []))
        messages.append({"kind": kind, "text": self.t(key, **values)})
        self.request.session[SESSION_FLASH] = messages[-5:]

    def demo(self) -> bool:
        if self._demo is None:
            self._demo = any_demo(self.rt, self.db)
        return self._demo

    def redirect(self, url: str) -> RedirectResponse:
        return RedirectResponse(url, status_code=303)

    # --- language-bound labels from the rules file ---

    def state_label(self, state_id: str) -> str:
        state = self.rt.vuln_rules.state_by_id.get(state_id)
        if state is None:
            return state_id
        return state.label_zh if self.lang == "zh" else state.label_en

    def label(self, item: Any) -> str:
        """``label_zh`` or ``label_en`` of a rules-file entry (transition, packet field)."""
        return str(item.label_zh if self.lang == "zh" else item.label_en)

    def duration(self, seconds: int) -> str:
        d, h, m, s = duration_parts(seconds)
        units = self.t("unit.short").split(",")
        parts = [(d, units[0]), (h, units[1]), (m, units[2]), (s, units[3])]
        while len(parts) > 1 and parts[0][0] == 0:
            parts.pop(0)
        sep = "" if self.lang == "zh" else " "
        return sep.join(f"{n}{u}" for n, u in parts)

    def countdown_text(self, seconds_left: int) -> str:
        key = "clock.overdue_by" if seconds_left <= 0 else "clock.left"
        return self.t(key, t=self.duration(seconds_left))

    def render(self, template: str, context: dict[str, Any] | None = None, *, status: int = 200,
               headers: dict[str, str] | None = None) -> Response:
        flashes = self.request.session.pop(SESSION_FLASH, []) if "session" in self.request.scope else []
        page: dict[str, Any] = {
            "request": self.request, "web": self, "t": self.t, "lang": self.lang,
            "other_lang": "en" if self.lang == "zh" else "zh", "user": self.user,
            "principal": self.principal, "csrf_field": CSRF_FIELD,
            "csrf_token": self.csrf_token() if "session" in self.request.scope else "",
            "demo": self.demo(), "flashes": flashes, "now": self.now(), "rules": self.rt.vuln_rules,
            "instance_name": self.rt.settings.instance_name, "path": self.request.url.path,
            "here": _here(self.request), "clock_view": clock_view,
            "collection_platform": self.rt.settings.collection_platform,
        }
        page.update(context or {})
        return templates_of(self.request).TemplateResponse(
            self.request, template, page, status_code=status, headers=headers)


def _here(request: Request) -> str:
    query = request.url.query
    return request.url.path + (f"?{query}" if query else "")


# --- dependencies ---

def open_web(request: Request) -> Iterator[Web]:
    """One transaction per request, committed once after the handler succeeded."""
    rt = runtime_of(request)
    with unit_of_work(rt.sessions) as db:
        yield Web.build(request, rt, db)


def signed_in(web: Annotated[Web, Depends(open_web, scope="function")]) -> Web:
    if web.user is None:
        raise LoginRequired(_return_to(web.request))
    return web


def _return_to(request: Request) -> str:
    """Where to go after signing in: this page, or for a form post the page the form was on."""
    if request.method in SAFE_METHODS:
        return _here(request)
    referer = urlsplit(request.headers.get("referer", ""))
    if referer.netloc and referer.netloc == request.url.netloc:
        return safe_next(referer.path + (f"?{referer.query}" if referer.query else ""))
    return "/"


def _form_limits(rt: Runtime) -> tuple[int, int]:
    """Largest accepted request body and text part, from the intake limits (the largest form)."""
    limits = rt.intake_limits
    text = max(1024 * 1024, limits.max_text_bytes * 2)
    body = text + limits.max_attachments * limits.max_attachment_bytes + 1024 * 1024
    return body, text


async def csrf_protect(request: Request) -> AsyncIterator[None]:
    """Every unsafe request must carry the session's CSRF token in its form.

    The form is parsed once here (handlers read the cached copy) and its uploaded files are closed
    when the request is done."""
    if request.method in SAFE_METHODS:
        yield
        return
    rt = runtime_of(request)
    max_body, max_text = _form_limits(rt)
    length = whole_number(request.headers.get("content-length", ""), max_digits=18)
    if length is not None and length > max_body:
        raise TooLarge(f"the form is {length} bytes; at most {max_body} bytes are accepted")
    form = await request.form(max_files=rt.intake_limits.max_attachments + 10, max_fields=200,
                              max_part_size=max_text)
    try:
        sent = form.get(CSRF_FIELD)
        expected = request.session.get(SESSION_CSRF)
        if not isinstance(sent, str) or not isinstance(expected, str) or not hmac.compare_digest(
            sent.encode(), expected.encode()
        ):
            if request.url.path in CSRF_SOFT_PATHS or CSRF_SOFT_PATTERN.fullmatch(request.url.path):
                request.state.csrf_failed = True
            else:
                raise CsrfFailed("the form's security token is missing or out of date; reload the page "
                                 "and send it again")
        yield
    finally:
        await form.close()


async def read_form(request: Request) -> FormData:
    """The parsed form (already read, and checked, by ``csrf_protect``)."""
    return await request.form()


WebDep = Annotated[Web, Depends(open_web, scope="function")]
UserDep = Annotated[Web, Depends(signed_in)]
FormDep = Annotated[FormData, Depends(read_form)]


def text(form: FormData, name: str, default: str = "") -> str:
    value = form.get(name, default)
    return value if isinstance(value, str) else default


def files(form: FormData, name: str) -> list[UploadFile]:
    """Uploaded files of one field; an empty file input sends one nameless empty part, skipped."""
    return [f for f in form.getlist(name) if isinstance(f, UploadFile) and (f.filename or f.size)]
