"""Outbox delivery: senders, signatures, the dispatcher's claims, retries, give-up and leases."""

from __future__ import annotations

import email
import email.policy
import http.server
import json
import random
import smtplib
import ssl
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from email.message import EmailMessage
from typing import Any

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import event, select, update

from wangan.config import ConfigError, Settings
from wangan.db import utcnow
from wangan.kernel import audit, outbox
from wangan.kernel.calendar import FixedClock
from wangan.kernel.events import KernelTag
from wangan.kernel.models import OutboxMessage, OutboxStatus
from wangan.kernel.notifications import (
    DELIVERY_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    DeliveryError,
    Dispatcher,
    DispatchResult,
    RecordingSender,
    Sender,
    SmtpSender,
    WebhookSender,
    backoff_delay,
    encode_payload,
    sign,
    verify_signature,
    webhook_signing_secret,
)
from wangan.runtime import Runtime

SECRET = "s3cr3t-for-tests-only-0123456789abcdef"
PAYLOAD = {"event": "deadline.reminder", "subject": {"type": "case", "title": "固件栈溢出"}}


def message(channel: str = "webhook", recipient: str = "https://hooks.example/x", **kw: Any) -> OutboxMessage:
    """An outbox message in memory, for the senders (which never touch the database)."""
    return OutboxMessage(id=uuid.uuid4(), channel=channel, recipient=recipient,
                         subject=kw.get("subject", "提醒 / Reminder"), body=kw.get("body", "正文 / body"),
                         payload=kw.get("payload", PAYLOAD), dedupe_key=f"t:{uuid.uuid4()}", attempts=0)


def queue(rt: Runtime, n: int = 1, channel: str = "webhook", recipient: str = "https://hooks.example/x",
          at: Any = None) -> list[uuid.UUID]:
    with rt.sessions.begin() as s:
        for i in range(n):
            outbox.enqueue(s, channel=channel, recipient=recipient, subject=f"m{i}", body="b",
                           payload={"i": i}, dedupe_key=f"test:{uuid.uuid4()}", not_before=at)
        return list(s.execute(select(OutboxMessage.id).order_by(OutboxMessage.created_at)).scalars())


def row(rt: Runtime, message_id: uuid.UUID) -> OutboxMessage:
    with rt.sessions() as s:
        found = s.get(OutboxMessage, message_id)
        assert found is not None
        return found


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(utcnow().replace(microsecond=0))


def dispatcher(rt: Runtime, clock: FixedClock, senders: dict[str, Sender], **kw: Any) -> Dispatcher:
    return Dispatcher(rt.sessions, senders, clock, kw.pop("worker_id", "test:1"),
                      rng=random.Random(7), **kw)


# --- signatures ---

def test_signature_round_trip() -> None:
    body = encode_payload(PAYLOAD)
    ts = str(int(time.time()))
    header = sign(SECRET, ts, body)
    assert header.startswith("sha256=") and len(header) == 7 + 64
    assert verify_signature(SECRET, ts, body, header)


def test_signature_refuses_tampered_body_wrong_secret_and_wrong_timestamp() -> None:
    body = encode_payload(PAYLOAD)
    ts = int(time.time())
    header = sign(SECRET, ts, body)
    assert not verify_signature(SECRET, ts, body.replace("固件".encode(), "软件".encode()), header)
    assert not verify_signature(SECRET, ts, body + b" ", header)
    assert not verify_signature("another-secret", ts, body, header)
    assert not verify_signature(SECRET, ts + 1, body, header)  # the timestamp is signed too
    assert not verify_signature(SECRET, "not-a-number", body, header)
    assert not verify_signature(SECRET, ts, body, "sha256=" + "0" * 64)
    assert not verify_signature(SECRET, ts, body, "签名")  # non-ASCII header: False, not a crash


def test_signature_too_old_is_refused_unless_age_is_not_checked() -> None:
    body = b"{}"
    old = int(time.time()) - 3600
    header = sign(SECRET, old, body)
    assert not verify_signature(SECRET, old, body, header)
    assert verify_signature(SECRET, old, body, header, max_age=None)
    assert verify_signature(SECRET, old, body, header, now=old + 10)


def test_webhook_secret_explicit_or_derived(settings: Settings) -> None:
    derived = webhook_signing_secret(settings)
    assert derived == webhook_signing_secret(settings)  # stable
    assert len(derived) == 64 and derived != settings.secret()
    explicit = settings.model_copy(update={"webhook_secret": SecretStr(SECRET)})
    assert webhook_signing_secret(explicit) == SECRET
    weak = settings.model_copy(update={"webhook_secret": SecretStr("changeme")})
    with pytest.raises(ConfigError, match="WANGAN_WEBHOOK_SECRET"):
        webhook_signing_secret(weak)


# --- webhook sender ---

def mock_sender(handler: Callable[[httpx.Request], httpx.Response]) -> WebhookSender:
    return WebhookSender(SECRET, transport=httpx.MockTransport(handler))


def test_webhook_posts_signed_json() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(204)

    msg = message()
    sender = mock_sender(handler)
    sender.send(msg)
    sender.close()
    [request] = seen
    assert request.method == "POST" and str(request.url) == "https://hooks.example/x"
    assert request.headers["content-type"] == "application/json"
    assert request.headers[DELIVERY_HEADER] == str(msg.id)
    assert json.loads(request.content) == PAYLOAD
    assert request.content == encode_payload(PAYLOAD)
    assert verify_signature(SECRET, request.headers[TIMESTAMP_HEADER], request.content,
                            request.headers[SIGNATURE_HEADER])


@pytest.mark.parametrize("status", [301, 400, 404, 500, 503])
def test_webhook_non_2xx_is_a_delivery_error(status: int) -> None:
    sender = mock_sender(lambda _r: httpx.Response(status, headers={"Location": "https://evil.example/"}))
    with pytest.raises(DeliveryError, match=f"HTTP {status}"):
        sender.send(message())
    sender.close()


def test_webhook_transport_error_names_host_not_url() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    sender = mock_sender(handler)
    with pytest.raises(DeliveryError) as caught:
        sender.send(message(recipient="https://hooks.example/T0KEN/x"))
    sender.close()
    assert "hooks.example" in str(caught.value) and "T0KEN" not in str(caught.value)


def test_webhook_refuses_non_http_recipient() -> None:
    sender = mock_sender(lambda _r: httpx.Response(200))
    with pytest.raises(DeliveryError, match="http"):
        sender.send(message(recipient="file:///etc/passwd"))
    with pytest.raises(DeliveryError, match="URL"):
        sender.send(message(recipient="http://[::1"))
    sender.close()


# --- SMTP sender ---

class FakeSMTP:
    """Stands in for ``smtplib.SMTP``; keeps every connection it was asked to open."""

    opened: list[FakeSMTP]

    def __init__(self, host: str, port: int, *, timeout: float, fail: Exception | None = None) -> None:
        self.host, self.port, self.timeout, self.fail = host, port, timeout, fail
        self.tls: ssl.SSLContext | None = None
        self.login_as: tuple[str, str] | None = None
        self.messages: list[EmailMessage] = []
        self.quitted = self.closed = False

    def starttls(self, *, context: ssl.SSLContext | None = None) -> object:
        self.tls = context
        return (220, b"ready")

    def login(self, user: str, password: str) -> object:
        self.login_as = (user, password)
        return (235, b"ok")

    def send_message(self, msg: EmailMessage) -> object:
        if self.fail:
            raise self.fail
        self.messages.append(msg)
        return {}

    def quit(self) -> object:
        self.quitted = True
        return (221, b"bye")

    def close(self) -> None:
        self.closed = True


def smtp_factory(opened: list[FakeSMTP], fail: Exception | None = None) -> Any:
    def open_(host: str, port: int, *, timeout: float) -> FakeSMTP:
        conn = FakeSMTP(host, port, timeout=timeout, fail=fail)
        opened.append(conn)
        return conn
    return open_


@pytest.fixture
def smtp_settings(settings: Settings) -> Settings:
    return settings.model_copy(update={
        "smtp_host": "mail.example", "smtp_port": 587, "smtp_user": "wangan",
        "smtp_password": SecretStr("pw"), "smtp_starttls": True,
        "smtp_from": "Wangan <noreply@acme.example>"})


def test_smtp_sends_utf8_mail_over_starttls(smtp_settings: Settings) -> None:
    opened: list[FakeSMTP] = []
    sender = SmtpSender(smtp_settings, factory=smtp_factory(opened))
    msg = message("email", "analyst@acme.example", subject="[wangan] 截止提醒 / Deadline\r\nBcc: x@y",
                  body="案件 WA-2026-0001「固件栈溢出」\nCase WA-2026-0001")
    sender.send(msg)
    [conn] = opened
    assert (conn.host, conn.port) == ("mail.example", 587)
    assert isinstance(conn.tls, ssl.SSLContext) and conn.tls.verify_mode == ssl.CERT_REQUIRED
    assert conn.login_as == ("wangan", "pw")
    assert conn.quitted
    [mail] = conn.messages
    # Read it back from the bytes that would go on the wire.
    parsed = email.message_from_bytes(mail.as_bytes(), policy=email.policy.default)
    assert parsed["To"] == "analyst@acme.example"
    assert parsed["From"] == "Wangan <noreply@acme.example>"
    assert parsed["Subject"] == "[wangan] 截止提醒 / Deadline Bcc: x@y"  # no header injection
    assert parsed["Bcc"] is None
    assert parsed["Message-ID"] == f"<{msg.id}@acme.example>"
    assert parsed.get_content_charset() == "utf-8"
    assert parsed.get_content().rstrip("\n") == "案件 WA-2026-0001「固件栈溢出」\nCase WA-2026-0001"


def test_smtp_without_user_or_tls(settings: Settings) -> None:
    opened: list[FakeSMTP] = []
    plain = settings.model_copy(update={"smtp_host": "localhost"})
    SmtpSender(plain, factory=smtp_factory(opened)).send(message("email", "a@acme.example"))
    [conn] = opened
    assert conn.tls is None and conn.login_as is None and len(conn.messages) == 1


def test_smtp_refusal_and_connect_failure_are_delivery_errors(smtp_settings: Settings) -> None:
    opened: list[FakeSMTP] = []
    refused = smtplib.SMTPRecipientsRefused({"a@acme.example": (550, b"no such user")})
    with pytest.raises(DeliveryError, match="refused"):
        SmtpSender(smtp_settings, factory=smtp_factory(opened, refused)).send(message("email", "a@acme.example"))
    assert opened[0].closed

    def cannot_connect(host: str, port: int, *, timeout: float) -> FakeSMTP:
        raise ConnectionRefusedError(111, "Connection refused")

    with pytest.raises(DeliveryError, match="cannot connect"):
        SmtpSender(smtp_settings, factory=cannot_connect).send(message("email", "a@acme.example"))


def test_smtp_sender_needs_a_host(settings: Settings) -> None:
    with pytest.raises(ConfigError, match="WANGAN_SMTP_HOST"):
        SmtpSender(settings)


# --- recording sender ---

def test_recording_sender_fails_n_times_then_records() -> None:
    sender = RecordingSender(fail_times=2, error="receiver down")
    msg = message()
    for _ in range(2):
        with pytest.raises(DeliveryError, match="receiver down"):
            sender.send(msg)
    sender.send(msg)
    assert sender.calls == 3 and sender.sent_ids == [msg.id]


# --- backoff ---

def test_backoff_doubles_from_30_seconds_capped_at_an_hour_with_small_jitter() -> None:
    rng = random.Random(1)
    nominal = [30, 60, 120, 240, 480, 960, 1920, 3600, 3600, 3600]
    for attempts, base in enumerate(nominal, start=1):
        delay = backoff_delay(attempts, rng).total_seconds()
        assert base <= delay <= base * 1.1
    assert backoff_delay(10_000).total_seconds() <= 3600 * 1.1


# --- dispatcher ---

def test_dispatch_sends_due_messages_and_marks_them_sent(rt: Runtime, clock: FixedClock) -> None:
    ids = queue(rt, 3, at=clock.now())
    sender = RecordingSender()
    result = dispatcher(rt, clock, {"webhook": sender}).dispatch_once()
    assert result == DispatchResult(sent=3)
    assert sorted(sender.sent_ids) == sorted(ids)
    for mid in ids:
        r = row(rt, mid)
        assert (r.status, r.attempts, r.sent_at, r.locked_by, r.locked_until) == (
            OutboxStatus.SENT, 1, clock.now(), None, None)
    assert dispatcher(rt, clock, {"webhook": sender}).dispatch_once() == DispatchResult()
    assert sender.calls == 3


def test_not_yet_due_and_unconfigured_channels_stay_pending(rt: Runtime, clock: FixedClock) -> None:
    [later] = queue(rt, 1, at=clock.now() + timedelta(minutes=1))
    mail = queue(rt, 1, channel="email", recipient="a@acme.example", at=clock.now())
    sender = RecordingSender()
    assert dispatcher(rt, clock, {"webhook": sender}).dispatch_once() == DispatchResult()
    for mid in mail:
        assert row(rt, mid).status is OutboxStatus.PENDING and row(rt, mid).locked_by is None
    clock.advance(timedelta(minutes=1))
    assert dispatcher(rt, clock, {"webhook": sender}).dispatch_once().sent == 1
    assert sender.sent_ids == [later]
    assert dispatcher(rt, clock, {}).dispatch_once() == DispatchResult()


def test_batch_size_and_order(rt: Runtime, clock: FixedClock) -> None:
    first = queue(rt, 1, at=clock.now() - timedelta(minutes=5))
    queue(rt, 4, at=clock.now())
    sender = RecordingSender()
    d = dispatcher(rt, clock, {"webhook": sender}, batch_size=2)
    assert d.dispatch_once().sent == 2
    assert sender.sent_ids[0] == first[0]  # oldest due first
    assert d.dispatch_once().sent == 2
    assert d.dispatch_once().sent == 1


def test_a_leased_message_is_left_alone_until_the_lease_ends(rt: Runtime, clock: FixedClock) -> None:
    [mid] = queue(rt, 1, at=clock.now())
    with rt.sessions.begin() as s:
        s.execute(update(OutboxMessage).where(OutboxMessage.id == mid).values(
            locked_by="other:99", locked_until=clock.now() + timedelta(minutes=5)))
    sender = RecordingSender()
    assert dispatcher(rt, clock, {"webhook": sender}).dispatch_once() == DispatchResult()
    clock.advance(timedelta(minutes=5, seconds=1))  # the other worker died: its lease ran out
    assert dispatcher(rt, clock, {"webhook": sender}).dispatch_once().sent == 1
    assert row(rt, mid).status is OutboxStatus.SENT


def test_claimed_rows_carry_the_lease_while_sending(rt: Runtime, clock: FixedClock) -> None:
    [mid] = queue(rt, 1, at=clock.now())
    during: list[tuple[str | None, Any]] = []

    class Peek:
        def send(self, message: OutboxMessage) -> None:
            r = row(rt, message.id)  # a separate session: the claim is committed, not pending
            during.append((r.locked_by, r.locked_until))

    dispatcher(rt, clock, {"webhook": Peek()}, lease=timedelta(minutes=10)).dispatch_once()
    assert during == [("test:1", clock.now() + timedelta(minutes=10))]
    assert row(rt, mid).locked_by is None


def test_stops_sending_when_half_the_lease_has_passed(rt: Runtime, clock: FixedClock) -> None:
    ids = queue(rt, 3, at=clock.now())

    class Slow(RecordingSender):
        def send(self, message: OutboxMessage) -> None:
            super().send(message)
            clock.advance(timedelta(minutes=6))

    sender = Slow()
    result = dispatcher(rt, clock, {"webhook": sender}, lease=timedelta(minutes=10)).dispatch_once()
    assert result == DispatchResult(sent=1, released=2)
    released = [row(rt, m) for m in ids if m not in sender.sent_ids]
    assert all(r.locked_by is None and r.attempts == 0 and r.status is OutboxStatus.PENDING for r in released)


def test_a_crashing_sender_counts_as_a_failed_attempt(rt: Runtime, clock: FixedClock) -> None:
    [mid] = queue(rt, 1, at=clock.now())

    class Broken:
        def send(self, message: OutboxMessage) -> None:
            raise KeyError("bug")

    assert dispatcher(rt, clock, {"webhook": Broken()}).dispatch_once() == DispatchResult(failed=1)
    r = row(rt, mid)
    assert r.status is OutboxStatus.PENDING and r.attempts == 1 and "KeyError" in (r.last_error or "")


class Receiver:
    """A webhook receiver on 127.0.0.1 that checks signatures and answers scripted statuses."""

    def __init__(self, secret: str, statuses: list[int]) -> None:
        self.secret, self.statuses = secret, statuses
        self.deliveries: list[tuple[str, dict[str, Any], bool]] = []  # (delivery id, body, valid)
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                valid = verify_signature(receiver.secret, self.headers[TIMESTAMP_HEADER], body,
                                         self.headers[SIGNATURE_HEADER])
                receiver.deliveries.append((self.headers[DELIVERY_HEADER], json.loads(body), valid))
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status if valid else 401)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                """Quiet: the assertions report what the receiver saw."""

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


def test_retry_with_backoff_after_a_receiver_failure_then_success(rt: Runtime, clock: FixedClock) -> None:
    with Receiver(SECRET, [503]) as receiver:
        [mid] = queue(rt, 1, recipient=receiver.url, at=clock.now())
        sender = WebhookSender(SECRET, timeout=5)
        d = dispatcher(rt, clock, {"webhook": sender})
        try:
            assert d.dispatch_once() == DispatchResult(failed=1)
            r = row(rt, mid)
            assert r.status is OutboxStatus.PENDING and r.attempts == 1
            assert "HTTP 503" in (r.last_error or "")
            assert r.locked_by is None and r.locked_until is None
            wait = (r.next_attempt_at - clock.now()).total_seconds()
            assert 30 <= wait <= 33

            clock.advance(timedelta(seconds=29))
            assert d.dispatch_once() == DispatchResult()  # backing off
            clock.advance(timedelta(seconds=5))
            assert d.dispatch_once() == DispatchResult(sent=1)
        finally:
            sender.close()
    r = row(rt, mid)
    assert (r.status, r.attempts, r.sent_at) == (OutboxStatus.SENT, 2, clock.now())
    assert [(d_id, body, ok) for d_id, body, ok in receiver.deliveries] == [
        (str(mid), {"i": 0}, True), (str(mid), {"i": 0}, True)]  # same delivery id: receiver can dedupe


def test_gives_up_after_max_attempts_with_an_audit_event(rt: Runtime, clock: FixedClock) -> None:
    [mid] = queue(rt, 1, at=clock.now())
    sender = RecordingSender(fail_times=100, error="HTTP 500")
    d = dispatcher(rt, clock, {"webhook": sender}, max_attempts=3)
    results = []
    for _ in range(4):
        results.append(d.dispatch_once())
        clock.advance(timedelta(hours=2))
    assert results == [DispatchResult(failed=1), DispatchResult(failed=1), DispatchResult(gave_up=1),
                       DispatchResult()]
    r = row(rt, mid)
    assert (r.status, r.attempts, r.last_error, r.locked_by) == (OutboxStatus.FAILED, 3, "HTTP 500", None)
    with rt.sessions() as s:
        [event] = audit.events_for(s, "outbox_message", mid)
        assert event.tag == KernelTag.OUTBOX_GAVE_UP
        assert event.actor_label == "worker:test:1"
        assert event.data["attempts"] == 3 and event.data["channel"] == "webhook"
        assert "hooks.example" not in json.dumps(event.data)  # recipients stay out of the audit log
        assert audit.verify_chain(s)[1] == []


# --- two dispatchers at once (PostgreSQL) ---

@pytest.fixture
def postgres(rt: Runtime) -> Iterator[None]:
    if rt.engine.dialect.name != "postgresql":
        pytest.skip("needs PostgreSQL (set WANGAN_TEST_DATABASE_URL): SQLite serialises writers, so "
                    "concurrent claims cannot overlap there")
    yield


@pytest.mark.postgres
@pytest.mark.usefixtures("postgres")
def test_two_dispatchers_never_send_a_message_twice(rt: Runtime, clock: FixedClock) -> None:
    ids = queue(rt, 50, at=clock.now())

    class Slowish(RecordingSender):
        def send(self, message: OutboxMessage) -> None:
            time.sleep(0.002)  # widen the window in which the other dispatcher claims
            super().send(message)

    def linger(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        # Hold each claim open a moment after its SELECT, so the other dispatcher's claim runs
        # inside it: without row locks both would pick the same rows.
        if statement.lstrip().startswith("SELECT") and "outbox_messages" in statement and "LIMIT" in statement:
            time.sleep(0.02)

    event.listen(rt.engine, "after_cursor_execute", linger)
    sender = Slowish()
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def work(name: str) -> None:
        d = dispatcher(rt, clock, {"webhook": sender}, worker_id=name, batch_size=5)
        try:
            start.wait()
            while d.dispatch_once().claimed:
                pass
        except BaseException as exc:  # surfaced in the main thread below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(f"w{i}",)) for i in range(2)]
    for t in threads:
        t.start()
    try:
        for t in threads:
            t.join(timeout=60)
    finally:
        event.remove(rt.engine, "after_cursor_execute", linger)
    assert errors == []
    delivered = sender.sent_ids
    assert len(delivered) == 50 and set(delivered) == set(ids)
    with rt.sessions() as s:
        rows = list(s.execute(select(OutboxMessage)).scalars())
    assert {(r.status, r.attempts) for r in rows} == {(OutboxStatus.SENT, 1)}
