"""The consultation pages: the public list and draft page with its comment form (refusals re-render with
the message; after the close the form gives way to a notice), and the managers' pages."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from tests.conftest import Factory
from tests.functional.web.conftest import Browser
from wangan.indicators import consultations as svc
from wangan.indicators.models import ConsultationComment
from wangan.kernel.calendar import BEIJING, FixedClock
from wangan.kernel.models import Organisation
from wangan.kernel.ratelimit import RateLimiter
from wangan.runtime import Runtime

PAGE = "/consultations/draft-2024"
DURING = datetime(2024, 5, 10, 4, 0, tzinfo=UTC)
AFTER = datetime(2024, 6, 1, 0, 0, tzinfo=UTC)


@pytest.fixture
def published(rt: Runtime, factory: Factory, org: Organisation) -> None:
    manager = factory.principal(factory.user(org, "manager"))
    with rt.sessions.begin() as s:
        svc.create_consultation(s, manager, slug="draft-2024", title_zh="征求意见稿", title_en="Draft for comments",
                                body="Part I", document_url="", opens_at=datetime(2024, 5, 1, tzinfo=BEIJING),
                                closes_at=datetime(2024, 5, 31, 23, 59, 59, tzinfo=BEIJING))
        svc.publish(s, manager, "draft-2024")
    rt.clock = FixedClock(DURING)


@pytest.fixture
def manager_browser(browser: Browser, factory: Factory, org: Organisation) -> Browser:
    browser.login(factory.user(org, "manager"))
    return browser


def _pending(rt: Runtime, manager_slug: str = "draft-2024") -> list[svc.CommentView]:
    from wangan.kernel.auth import principal_for
    from wangan.kernel.models import User, UserRole

    with rt.sessions() as s:
        user = s.query(User).filter(User.role == UserRole.MANAGER).first()
        assert user is not None
        return svc.list_comments(s, principal_for(user), manager_slug, include_pending=True)


def test_public_list_and_page(browser: Browser, published: None) -> None:
    listing = browser.get("/consultations")
    assert listing.status_code == 200
    assert "Draft for comments" in listing.text or "征求意见稿" in listing.text
    assert "2024-05-01 00:00" in listing.text and "2024-05-31 23:59" in listing.text
    page = browser.get(PAGE, headers={"accept-language": "en"})
    assert page.status_code == 200
    assert 'name="contact"' in page.text and "not published, only for follow-up" in page.text
    assert browser.get("/consultations/nope").status_code == 404


def test_anonymous_comment_then_moderation(rt: Runtime, browser: Browser, published: None, factory: Factory,
                                           org: Organisation) -> None:
    resp = browser.post(f"{PAGE}/comments", {"body": "Add SMEs.", "name": "Li", "contact": "li@example.org"},
                        page=PAGE)
    assert resp.status_code == 303, resp.text
    assert "Add SMEs." not in browser.get(PAGE).text  # pending: not public yet
    [comment] = _pending(rt)
    assert comment.contact == "li@example.org"

    browser.login(factory.user(org, "manager"))
    queue = browser.get("/manage/consultations/draft-2024/comments")
    assert queue.status_code == 200 and "li@example.org" in queue.text
    done = browser.post(f"/manage/consultations/draft-2024/comments/{comment.id}", {"decision": "approved"},
                        page="/manage/consultations/draft-2024/comments")
    assert done.status_code == 303
    page = browser.get(PAGE).text
    assert "Add SMEs." in page and "li@example.org" not in page
    export = browser.get("/manage/consultations/draft-2024/comments/export?format=csv")
    assert export.status_code == 200 and "li@example.org" in export.content.decode("utf-8-sig")


def test_bad_comment_rerenders_with_input(browser: Browser, published: None) -> None:
    resp = browser.post(f"{PAGE}/comments", {"body": " ", "name": "Keep me", "contact": "c" * 201}, page=PAGE)
    assert resp.status_code == 422
    assert 'value="Keep me"' in resp.text and 'aria-invalid="true"' in resp.text


def test_after_close_the_form_gives_way_to_a_notice(rt: Runtime, browser: Browser, published: None) -> None:
    token_page = browser.get(PAGE)
    assert 'action="/consultations/draft-2024/comments"' in token_page.text
    rt.clock = FixedClock(AFTER)
    page = browser.get(PAGE, headers={"accept-language": "en"})
    assert "closed on 2024-05-31 23:59 Beijing time" in page.text
    assert 'action="/consultations/draft-2024/comments"' not in page.text
    from tests.functional.web.conftest import csrf_of

    late = browser.client.post(f"{PAGE}/comments", data={"body": "late", "name": "Late",
                                                         "csrf_token": csrf_of(token_page.text)})
    assert late.status_code == 409
    assert "closed on 2024-05-31 23:59 Beijing time" in late.text


def test_comment_with_an_expired_token_is_refused_but_kept(rt: Runtime, browser: Browser, published: None) -> None:
    resp = browser.client.post(f"{PAGE}/comments", data={"body": "my careful comment", "name": "Li"})
    assert resp.status_code == 403
    assert "your comment was not sent" in resp.text and "my careful comment" in resp.text
    assert 'value="Li"' in resp.text
    with rt.sessions() as s:
        assert s.scalar(select(func.count()).select_from(ConsultationComment)) == 0


def test_comments_are_rate_limited(browser: Browser, published: None) -> None:
    browser.client.app.state.consultation_limiter = RateLimiter(1)  # type: ignore[attr-defined]
    assert browser.post(f"{PAGE}/comments", {"body": "one"}, page=PAGE).status_code == 303
    second = browser.post(f"{PAGE}/comments", {"body": "two kept"}, page=PAGE)
    assert second.status_code == 429 and "two kept" in second.text


def test_manager_creates_publishes_and_records(rt: Runtime, manager_browser: Browser) -> None:
    b = manager_browser
    rt.clock = FixedClock(DURING)
    assert b.get("/manage/consultations").status_code == 200
    bad = b.post("/manage/consultations", {"slug": "New Draft", "title_zh": "稿", "opens_at": "2024-05-01T00:00",
                                           "closes_at": "2024-04-01T00:00"}, page="/manage/consultations")
    assert bad.status_code == 422 and 'value="New Draft"' in bad.text
    bad_time = b.post("/manage/consultations", {"slug": "new-draft", "title_zh": "稿", "opens_at": "x",
                                                "closes_at": "2024-06-01T00:00"}, page="/manage/consultations")
    assert bad_time.status_code == 422
    made = b.post("/manage/consultations", {"slug": "new-draft", "title_zh": "稿", "opens_at": "2024-05-01T00:00",
                                            "closes_at": "2024-06-01T00:00"}, page="/manage/consultations")
    assert made.status_code == 303 and made.headers["location"] == "/manage/consultations/new-draft"
    edit = b.get("/manage/consultations/new-draft")
    assert edit.status_code == 200 and 'value="2024-05-01T00:00:00"' in edit.text
    saved = b.post("/manage/consultations/new-draft", {"title_zh": "稿二", "opens_at": "2024-05-01T00:00",
                                                       "closes_at": "2024-06-01T00:00", "version": "1"},
                   page="/manage/consultations/new-draft")
    assert saved.status_code == 303
    stale = b.post("/manage/consultations/new-draft", {"title_zh": "稿三", "opens_at": "2024-05-01T00:00",
                                                       "closes_at": "2024-06-01T00:00", "version": "1"},
                   page="/manage/consultations/new-draft")
    assert stale.status_code == 409 and 'value="稿三"' in stale.text
    assert b.post("/manage/consultations/new-draft/publish", page="/manage/consultations/new-draft").status_code == 303
    assert b.get("/consultations/new-draft").status_code == 200
    recorded = b.post("/manage/consultations/record-plan", {"plan": "CN-MIIT-CSI-2021-2023"},
                      page="/manage/consultations")
    assert recorded.status_code == 303
    again = b.post("/manage/consultations/record-plan", {"plan": "CN-MIIT-CSI-2021-2023"},
                   page="/manage/consultations")
    assert again.status_code == 409 and "cn-miit-csi-2021-2023-draft" in again.text
    page = b.get("/consultations/cn-miit-csi-2021-2023-draft", headers={"accept-language": "en"})
    assert "never took comments here" in page.text and 'name="body"' not in page.text


def test_non_managers_cannot_manage(browser: Browser, signed_in: Browser, published: None) -> None:
    assert signed_in.get("/manage/consultations").status_code == 403
    assert signed_in.get("/manage/consultations/draft-2024/comments").status_code == 403
    assert signed_in.get("/manage/consultations/draft-2024/comments/export").status_code == 403
