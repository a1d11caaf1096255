"""Sending the transactional outbox: senders for e-mail and webhooks, and the dispatcher.

Messages are written by ``kernel.outbox.enqueue`` in the same transaction as the change that
caused them. The ``Dispatcher`` delivers them after commit, in three steps:

1. *claim* a batch of due messages in a short transaction, stamping a lease on each row
   (``locked_by``/``locked_until``); on PostgreSQL ``FOR UPDATE SKIP LOCKED`` lets several
   dispatchers claim disjoint batches without waiting on each other;
2. *send* each message with no database transaction open, so a slow SMTP server or webhook
   receiver never holds locks;
3. *settle* each message in its own short transaction: ``SENT``, or a retry with exponential
   backoff, or ``FAILED`` (with an audit event) after ``max_attempts``.

Delivery is at least once: if the process dies between a successful send and step 3, the lease
expires and the message is sent again. Receivers de-duplicate on ``X-Wangan-Delivery`` (webhooks)
or ``Message-ID`` (e-mail), both derived from the outbox message id. Two dispatchers running at
the same time never send the same message: a row is only claimed while nobody holds its lease.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import random
import smtplib
import ssl
import threading
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from typing import Any, Protocol, cast

import httpx
from sqlalchemy import ColumnElement, CursorResult, Result, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from wangan.config import KNOWN_DEFAULT_SECRETS, ConfigError, Settings
from wangan.db import unit_of_work
from wangan.kernel import audit
from wangan.kernel.audit import Actor
from wangan.kernel.calendar import Clock
from wangan.kernel.events import KernelTag
from wangan.kernel.models import OutboxMessage, OutboxStatus

log = logging.getLogger(__name__)

# The channels ``kernel.outbox.enqueue`` accepts.
CHANNELS = ("email", "webhook")

SIGNATURE_HEADER = "X-Wangan-Signature"
TIMESTAMP_HEADER = "X-Wangan-Timestamp"
DELIVERY_HEADER = "X-Wangan-Delivery"
# Receivers should refuse a signature older than this, so a captured request cannot be replayed.
DEFAULT_SIGNATURE_MAX_AGE = 300.0
# Domain-separation label for deriving the webhook key from the instance secret (see below).
_WEBHOOK_KEY_LABEL = b"wangan/webhook-signing/v1"

BACKOFF_BASE = timedelta(seconds=30)
BACKOFF_CAP = timedelta(hours=1)
# Up to 10 % added at random, so messages that failed together do not all retry together.
BACKOFF_JITTER = 0.1
MAX_ERROR_CHARS = 2000


class DeliveryError(Exception):
    """A message could not be delivered; the dispatcher will retry it later."""


class Sender(Protocol):
    """Delivers one outbox message on one channel. Raises ``DeliveryError`` when it fails."""

    def send(self, message: OutboxMessage) -> None: ...


# --- e-mail ---

class SmtpConnection(Protocol):
    """The part of ``smtplib.SMTP`` the e-mail sender uses; tests pass a fake."""

    def starttls(self, *, context: ssl.SSLContext | None = None) -> object: ...

    def login(self, user: str, password: str) -> object: ...

    def send_message(self, msg: EmailMessage) -> object: ...

    def quit(self) -> object: ...

    def close(self) -> None: ...


class SmtpFactory(Protocol):
    """Opens a connection; ``smtplib.SMTP`` itself fits."""

    def __call__(self, host: str, port: int, *, timeout: float) -> SmtpConnection: ...


def _one_line(text: str) -> str:
    # Header values must not contain line breaks (header injection); titles come from users.
    return " ".join(text.split())


class SmtpSender:
    """Sends ``subject``/``body`` as a UTF-8 plain-text e-mail to ``recipient``.

    One connection per message: reminders are few, and a fresh connection cannot be left in a
    half-broken state by the message before."""

    def __init__(self, settings: Settings, *, factory: SmtpFactory | None = None,
                 timeout: float = 30.0) -> None:
        if not settings.smtp_host:
            raise ConfigError("WANGAN_SMTP_HOST is not set; e-mail cannot be sent")
        self.host = settings.smtp_host
        self.port = settings.smtp_port
        self.user = settings.smtp_user
        self.password = settings.smtp_password.get_secret_value() if settings.smtp_password else ""
        self.sender = settings.smtp_from
        self.starttls = settings.smtp_starttls
        self.timeout = timeout
        self._factory: SmtpFactory = factory or smtplib.SMTP
        _addr = parseaddr(self.sender)[1]
        self._msgid_domain = _addr.rpartition("@")[2] or "wangan.invalid"
        if self.user and not self.starttls:
            log.warning("WANGAN_SMTP_USER is set but WANGAN_SMTP_STARTTLS is off: the SMTP password "
                        "will cross the network unencrypted")

    def build(self, message: OutboxMessage) -> EmailMessage:
        """The e-mail for one outbox message (public so tests and previews can look at it)."""
        mail = EmailMessage()
        mail["From"] = self.sender
        mail["To"] = _one_line(message.recipient)
        mail["Subject"] = _one_line(message.subject)
        mail["Date"] = format_datetime(datetime.now(UTC))
        # Stable across retries, so a mail client shows a re-sent message only once.
        mail["Message-ID"] = f"<{message.id}@{self._msgid_domain}>"
        mail["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation auto-replies
        mail[DELIVERY_HEADER] = str(message.id)
        mail.set_content(message.body, charset="utf-8")
        return mail

    def send(self, message: OutboxMessage) -> None:
        mail = self.build(message)
        try:
            conn = self._factory(self.host, self.port, timeout=self.timeout)
        except (OSError, smtplib.SMTPException) as exc:
            raise DeliveryError(f"cannot connect to SMTP server {self.host}:{self.port}: {exc}") from exc
        try:
            if self.starttls:
                # An explicit context: smtplib's default would not check the server certificate.
                conn.starttls(context=ssl.create_default_context())
            if self.user:
                conn.login(self.user, self.password)
            conn.send_message(mail)
        except (OSError, smtplib.SMTPException) as exc:
            conn.close()
            raise DeliveryError(f"SMTP server {self.host}:{self.port} refused the message: {exc}") from exc
        try:
            conn.quit()
        except (OSError, smtplib.SMTPException):
            conn.close()  # the message was accepted; a failed goodbye does not matter


# --- webhooks ---

def webhook_signing_secret(settings: Settings) -> str:
    """The key webhooks are signed with: ``WANGAN_WEBHOOK_SECRET``, or one derived from the
    instance secret when that is unset.

    The derived key is HMAC-SHA256(instance secret, "wangan/webhook-signing/v1") in hex. It is
    one-way, so it can be handed to webhook receivers without giving them the instance secret
    (which also signs browser sessions), and it stays stable as long as the instance secret does."""
    if settings.webhook_secret is not None:
        value = settings.webhook_secret.get_secret_value()
        if value.strip().lower() in KNOWN_DEFAULT_SECRETS:
            raise ConfigError("WANGAN_WEBHOOK_SECRET is empty or a known default; set a random value "
                              "or unset it to derive one from the instance secret")
        return value
    return hmac.new(settings.secret().encode("utf-8"), _WEBHOOK_KEY_LABEL, hashlib.sha256).hexdigest()


def sign(secret: str, timestamp: str | int, body: bytes) -> str:
    """The ``X-Wangan-Signature`` value: ``sha256=`` + HMAC-SHA256 over ``"{timestamp}." + body``."""
    digest = hmac.new(secret.encode("utf-8"), f"{timestamp}.".encode("ascii") + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


def verify_signature(secret: str, timestamp: str | int, body: bytes, header: str, *,
                     max_age: float | None = DEFAULT_SIGNATURE_MAX_AGE, now: float | None = None) -> bool:
    """Check a webhook request, as a receiver would: the signature over the exact body bytes,
    compared in constant time, and (unless ``max_age`` is None) a timestamp no older than
    ``max_age`` seconds, nor more than that in the future, against replays."""
    try:
        stamp = int(str(timestamp).strip())
    except ValueError:
        return False
    if max_age is not None:
        current = time.time() if now is None else now
        if abs(current - stamp) > max_age:
            return False
    expected = sign(secret, stamp, body)
    return hmac.compare_digest(expected.encode("ascii"), header.strip().encode("utf-8"))


def encode_payload(payload: Mapping[str, object]) -> bytes:
    """The exact bytes POSTed (and signed): compact, key-sorted JSON in UTF-8."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode("utf-8")


class WebhookSender:
    """POSTs ``message.payload`` as signed JSON to ``message.recipient`` (a URL).

    Redirects are not followed (a 3xx is a failure): the receiver is exactly the configured URL."""

    def __init__(self, secret: str, timeout: float = 10.0, *,
                 transport: httpx.BaseTransport | None = None) -> None:
        if not secret:
            raise ConfigError("a webhook signing secret is required")
        self._secret = secret
        self._client = httpx.Client(timeout=timeout, transport=transport, follow_redirects=False,
                                    headers={"User-Agent": "wangan-webhook/1"})

    def close(self) -> None:
        self._client.close()

    def send(self, message: OutboxMessage) -> None:
        url = message.recipient
        try:
            host = httpx.URL(url).host
        except httpx.InvalidURL as exc:
            raise DeliveryError(f"webhook recipient is not a valid URL: {exc}") from exc
        if not url.startswith(("https://", "http://")) or not host:
            raise DeliveryError("webhook recipient is not an http(s) URL")
        body = encode_payload(message.payload)
        timestamp = str(int(time.time()))
        headers = {
            TIMESTAMP_HEADER: timestamp,
            SIGNATURE_HEADER: sign(self._secret, timestamp, body),
            DELIVERY_HEADER: str(message.id),
            "Content-Type": "application/json",
        }
        try:
            response = self._client.post(url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            # The URL may carry a token (many chat webhooks do), so errors name the host only.
            raise DeliveryError(f"webhook to {host} failed: {type(exc).__name__}: {exc}") from exc
        if not response.is_success:
            raise DeliveryError(f"webhook to {host} answered HTTP {response.status_code}: "
                                f"{response.text[:200]}")


# --- test and development twin ---

class RecordingSender:
    """Records what it is given instead of sending it; can be told to fail the next N calls.

    Thread-safe, so concurrent dispatchers can share one in tests."""

    def __init__(self, *, fail_times: int = 0, error: str = "simulated failure") -> None:
        self.sent: list[OutboxMessage] = []
        self.calls = 0
        self.fail_times = fail_times
        self.error = error
        self._lock = threading.Lock()

    def fail_next(self, times: int, error: str | None = None) -> None:
        with self._lock:
            self.fail_times = times
            if error is not None:
                self.error = error

    def send(self, message: OutboxMessage) -> None:
        with self._lock:
            self.calls += 1
            if self.fail_times > 0:
                self.fail_times -= 1
                raise DeliveryError(self.error)
            self.sent.append(message)

    @property
    def sent_ids(self) -> list[uuid.UUID]:
        with self._lock:
            return [m.id for m in self.sent]


# --- the dispatcher ---

@dataclass(frozen=True)
class DispatchResult:
    """What one ``dispatch_once`` did."""

    sent: int = 0
    failed: int = 0  # failed this time, will be retried
    gave_up: int = 0  # failed for the last time: marked FAILED, audit event written
    released: int = 0  # claimed but not tried (lease running out); back in the queue untouched

    @property
    def claimed(self) -> int:
        return self.sent + self.failed + self.gave_up + self.released


def backoff_delay(attempts: int, rng: random.Random | None = None) -> timedelta:
    """Wait before the next try after ``attempts`` failures: 30 s, 1 min, 2 min … capped at 1 h,
    plus up to 10 % jitter."""
    exponent = min(max(attempts - 1, 0), 16)  # 2**16 * 30 s is far past the cap already
    delay = min(BACKOFF_BASE * (1 << exponent), BACKOFF_CAP)
    jitter = (rng or _jitter_rng).uniform(0, BACKOFF_JITTER)
    return delay * (1 + jitter)


_jitter_rng = random.Random()  # noqa: S311 - spreads retries in time; nothing secret depends on it


def _rowcount(result: Result[Any]) -> int:
    # An UPDATE's result is a CursorResult at run time; the ORM's typing only says Result.
    return int(cast(CursorResult[Any], result).rowcount)


class Dispatcher:
    """Sends due outbox messages, at most once per claim, and schedules retries.

    ``senders`` maps a channel to its sender; messages on a channel without a sender are left
    pending (not claimed) until one is configured. ``lease`` is how long a claim keeps other
    dispatchers away; a dispatcher stops starting new sends once half of it has passed, so an
    in-flight send finishes well inside it."""

    def __init__(self, sessions: sessionmaker[Session], senders: Mapping[str, Sender], clock: Clock,
                 worker_id: str, *, max_attempts: int = 8, batch_size: int = 50,
                 lease: timedelta = timedelta(minutes=10), rng: random.Random | None = None) -> None:
        if max_attempts < 1 or batch_size < 1:
            raise ValueError("max_attempts and batch_size must be at least 1")
        self.sessions = sessions
        self.senders = dict(senders)
        self.clock = clock
        self.worker_id = worker_id[:100]
        self.max_attempts = max_attempts
        self.batch_size = batch_size
        self.lease = lease
        self.rng = rng

    def dispatch_once(self) -> DispatchResult:
        """Claim one batch of due messages, send them, and record the outcome of each."""
        claimed_at = self.clock.now()
        batch = self._claim(claimed_at)
        if not batch:
            return DispatchResult()
        send_until = claimed_at + self.lease / 2
        sent = failed = gave_up = 0
        for index, message in enumerate(batch):
            if self.clock.now() >= send_until:
                self._release(batch[index:])
                log.warning("outbox: lease half over after %d of %d messages; released the rest",
                            index, len(batch))
                return DispatchResult(sent, failed, gave_up, released=len(batch) - index)
            error = self._send(message)
            if error is None:
                self._mark_sent(message)
                sent += 1
            elif self._mark_failed(message, error):
                gave_up += 1
            else:
                failed += 1
        return DispatchResult(sent, failed, gave_up)

    # -- steps --

    def _claim(self, now: datetime) -> list[OutboxMessage]:
        if not self.senders:
            return []
        with unit_of_work(self.sessions) as session:
            query = (
                select(OutboxMessage)
                .where(
                    OutboxMessage.status == OutboxStatus.PENDING,
                    OutboxMessage.next_attempt_at <= now,
                    or_(OutboxMessage.locked_until.is_(None), OutboxMessage.locked_until < now),
                    OutboxMessage.channel.in_(sorted(self.senders)),
                )
                .order_by(OutboxMessage.next_attempt_at)
                .limit(self.batch_size)
            )
            if session.get_bind().dialect.name == "postgresql":
                # Rows another dispatcher is claiming right now are skipped, not waited for; once
                # it commits, its lease makes them fail the WHERE clause above.
                query = query.with_for_update(skip_locked=True)
            # On SQLite the engine's BEGIN IMMEDIATE already makes this select-then-update atomic.
            batch = list(session.execute(query).scalars())
            for message in batch:
                message.locked_by = self.worker_id
                message.locked_until = now + self.lease
            session.flush()
            session.expunge_all()  # the senders get plain, detached values
        return batch

    def _send(self, message: OutboxMessage) -> str | None:
        """Deliver one message with no transaction open; return the error, or None when sent."""
        sender = self.senders[message.channel]
        try:
            sender.send(message)
        except DeliveryError as exc:
            log.info("outbox: %s message %s failed (attempt %d): %s", message.channel, message.id,
                     message.attempts + 1, exc)
            return str(exc) or type(exc).__name__
        except Exception as exc:
            # A bug in a sender must not stop the batch nor leave the rest locked until the lease ends.
            log.exception("outbox: %s sender crashed on message %s", message.channel, message.id)
            return f"{type(exc).__name__}: {exc}"
        return None

    def _mine(self, message: OutboxMessage) -> tuple[ColumnElement[bool], ...]:
        # Settle only while still holding the lease: after a lost lease the row is someone else's.
        return (OutboxMessage.id == message.id, OutboxMessage.locked_by == self.worker_id,
                OutboxMessage.status == OutboxStatus.PENDING)

    def _mark_sent(self, message: OutboxMessage) -> None:
        now = self.clock.now()
        with unit_of_work(self.sessions) as session:
            changed = _rowcount(session.execute(
                update(OutboxMessage).where(*self._mine(message)).values(
                    status=OutboxStatus.SENT, sent_at=now, attempts=message.attempts + 1,
                    locked_by=None, locked_until=None,
                )
            ))
            if changed != 1:
                log.warning("outbox: message %s was sent but its lease had been lost", message.id)

    def _mark_failed(self, message: OutboxMessage, error: str) -> bool:
        """Record a failed attempt; returns True when this was the last one allowed."""
        now = self.clock.now()
        attempts = message.attempts + 1
        give_up = attempts >= self.max_attempts
        values: dict[str, object] = {"attempts": attempts, "last_error": error[:MAX_ERROR_CHARS],
                                     "locked_by": None, "locked_until": None}
        if give_up:
            values["status"] = OutboxStatus.FAILED
        else:
            values["next_attempt_at"] = now + backoff_delay(attempts, self.rng)
        with unit_of_work(self.sessions) as session:
            changed = _rowcount(session.execute(
                update(OutboxMessage).where(*self._mine(message)).values(values)
            ))
            if changed != 1:
                log.warning("outbox: message %s failed after its lease was lost; left as it is", message.id)
                return False
            if give_up:
                # Recipients stay out of the append-only log: e-mail addresses are personal data
                # and webhook URLs often embed tokens. The outbox row keeps both.
                audit.record(session, KernelTag.OUTBOX_GAVE_UP, Actor.system(f"worker:{self.worker_id}"),
                             "outbox_message", message.id, data={
                                 "channel": message.channel, "dedupe_key": message.dedupe_key,
                                 "attempts": attempts, "last_error": error[:500],
                             })
                log.error("outbox: gave up on %s message %s after %d attempts: %s", message.channel,
                          message.id, attempts, error)
        return give_up

    def _release(self, messages: Sequence[OutboxMessage]) -> None:
        with unit_of_work(self.sessions) as session:
            session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id.in_([m.id for m in messages]),
                       OutboxMessage.locked_by == self.worker_id,
                       OutboxMessage.status == OutboxStatus.PENDING)
                .values(locked_by=None, locked_until=None)
            )
