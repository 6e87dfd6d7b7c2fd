"""Sending one delivery, at most once in effect, with retries that back off.

A delivery is claimed before it is sent (an UPDATE that only one worker can
win), so a duplicated or retried task finds it taken or sent and stops. A
claim older than the lease is taken to belong to a worker that died, and
may be taken again. Transient failures wait and retry with exponential
backoff and jitter (or the server's Retry-After); the last failure, or a
permanent one, dead-letters the delivery for staff to look at and retry.
"""

from __future__ import annotations

import json
import logging
import random
import smtplib
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import timedelta
from email.utils import make_msgid

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db.models import F, Q
from django.utils import timezone

from nexus.notifications.models import Delivery

logger = logging.getLogger(__name__)


MIN_RETRY_WAIT = 1.0


class TransientError(Exception):
    """Worth trying again later; `retry_after` (seconds) when the server said so."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class PermanentError(Exception):
    """Trying again will not help: dead-letter at once."""


@dataclass(frozen=True)
class Outcome:
    status: str
    retry_in: float | None = None


def backoff_seconds(attempt: int) -> float:
    """Exponential backoff with full jitter: about base * 2^(attempt-1), capped."""
    base = float(settings.NEXUS_DELIVERY_BACKOFF_BASE)
    cap = float(settings.NEXUS_DELIVERY_BACKOFF_MAX)
    ceiling = min(cap, base * 2.0 ** max(0, attempt - 1))
    return ceiling / 2 + random.uniform(0, ceiling / 2)  # noqa: S311 - jitter, not secrecy


def claim(delivery_id: int) -> Delivery | None:
    """Take a delivery for sending, or None if it is sent, dead, taken, or not yet due."""
    now = timezone.now()
    lease = timedelta(seconds=settings.NEXUS_DELIVERY_LEASE_SECONDS)
    due = Q(status__in=[Delivery.Status.PENDING, Delivery.Status.RETRY]) & (
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    )
    abandoned = Q(status=Delivery.Status.SENDING, claimed_at__lt=now - lease)
    won = Delivery.objects.filter(due | abandoned, pk=delivery_id).update(
        status=Delivery.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1
    )
    if not won:
        return None
    return Delivery.objects.select_related("webhook", "recipient").get(pk=delivery_id)


def deliver(delivery_id: int) -> Outcome | None:
    """Claim and send one delivery; returns what became of it (None: not ours to send)."""
    delivery = claim(delivery_id)
    if delivery is None:
        return None
    try:
        if delivery.channel == Delivery.Channel.EMAIL:
            send_email(delivery)
        else:
            send_webhook(delivery)
    except TransientError as exc:
        return _failed(delivery, str(exc), transient=True, retry_after=exc.retry_after)
    except PermanentError as exc:
        return _failed(delivery, str(exc), transient=False)
    Delivery.objects.filter(pk=delivery.pk).update(
        status=Delivery.Status.SENT, sent_at=timezone.now(), last_error=""
    )
    return Outcome(Delivery.Status.SENT)


def _failed(
    delivery: Delivery, error: str, *, transient: bool, retry_after: float | None = None
) -> Outcome:
    if transient and delivery.attempts < settings.NEXUS_DELIVERY_MAX_ATTEMPTS:
        wait = retry_after if retry_after is not None else backoff_seconds(delivery.attempts)
        # Never straight back: a zero wait would resend in a tight loop.
        wait = max(MIN_RETRY_WAIT, wait)
        Delivery.objects.filter(pk=delivery.pk).update(
            status=Delivery.Status.RETRY,
            next_attempt_at=timezone.now() + timedelta(seconds=wait),
            last_error=error[:500],
        )
        logger.warning(
            "delivery failed, will retry",
            extra={"delivery": delivery.key, "attempt": delivery.attempts, "error": error},
        )
        return Outcome(Delivery.Status.RETRY, retry_in=wait)
    Delivery.objects.filter(pk=delivery.pk).update(
        status=Delivery.Status.DEAD, last_error=error[:500]
    )
    logger.error(
        "delivery dead-lettered",
        extra={"delivery": delivery.key, "attempts": delivery.attempts, "error": error},
    )
    return Outcome(Delivery.Status.DEAD)


def send_email(delivery: Delivery) -> None:
    payload = delivery.payload
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip(">") or "nexus.local"
    headers = {
        # The key makes the Message-ID, so even a resend is one message to mail clients.
        "Message-ID": make_msgid(idstring=delivery.key.replace(":", "."), domain=domain),
        **payload.get("headers", {}),
    }
    message = EmailMultiAlternatives(
        subject=payload["subject"],
        body=payload["text"],
        to=[payload["to"]],
        headers=headers,
        connection=get_connection(timeout=settings.NEXUS_SMTP_TIMEOUT),
    )
    if payload.get("html"):
        message.attach_alternative(payload["html"], "text/html")
    try:
        message.send()
    except smtplib.SMTPResponseException as exc:
        if 400 <= exc.smtp_code < 500:
            raise TransientError(f"SMTP {exc.smtp_code}: {exc.smtp_error!r}") from exc
        raise PermanentError(f"SMTP {exc.smtp_code}: {exc.smtp_error!r}") from exc
    except (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, OSError) as exc:
        raise TransientError(f"SMTP connection: {exc}") from exc
    except smtplib.SMTPException as exc:
        raise PermanentError(f"SMTP: {exc}") from exc


def send_webhook(delivery: Delivery) -> None:
    from nexus.notifications.webhooks import check_url_is_public

    webhook = delivery.webhook
    if webhook is None or not webhook.is_active:
        raise PermanentError("The webhook was removed or switched off.")
    try:
        check_url_is_public(webhook.url)  # again now: DNS may have changed since it was saved
    except ValueError as exc:
        raise PermanentError(str(exc)) from exc
    body = json.dumps(delivery.payload["json"]).encode()
    request = urllib.request.Request(  # noqa: S310 - https checked above
        webhook.url,
        data=body,
        method="POST",
        headers={"Content-Type": "application/json", "User-Agent": "Nexus-Webhooks/1.0"},
    )
    try:
        with urllib.request.urlopen(request, timeout=settings.NEXUS_WEBHOOK_TIMEOUT):  # noqa: S310
            return
    except urllib.error.HTTPError as exc:
        if exc.code == 429:
            raise TransientError("HTTP 429", retry_after=_retry_after(exc)) from exc
        if exc.code >= 500:
            raise TransientError(f"HTTP {exc.code}") from exc
        raise PermanentError(f"HTTP {exc.code}") from exc
    except (TimeoutError, urllib.error.URLError, OSError) as exc:
        raise TransientError(f"connection: {exc}") from exc


def _retry_after(error: urllib.error.HTTPError) -> float | None:
    raw = error.headers.get("Retry-After") if error.headers else None
    if raw is None:
        try:  # Discord also says it in the body
            return float(json.loads(error.read() or b"{}").get("retry_after"))
        except (ValueError, TypeError, AttributeError):
            return None
    try:
        return max(0.0, float(raw))
    except ValueError:
        return None
