"""Outgoing Discord webhooks: which events they carry, safe URLs, message format."""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings

from nexus.notifications.audiences import EventAudiences
from nexus.notifications.models import Delivery, OutboxEvent, Webhook

# The topics a webhook may carry, as the apps registered them.
WEBHOOK_TOPICS: list[str] = []
DISCORD_COLOUR = 0x3B82F6


def register_topic(topic: str) -> None:
    if topic not in WEBHOOK_TOPICS:
        WEBHOOK_TOPICS.append(topic)


def check_url_is_public(url: str) -> None:
    """Refuse anything but https to public addresses. Raises ValueError saying why.

    Loopback and private addresses are refused unless settings allow them
    (the tests' local fake servers do).
    """
    parts = urlsplit(url)
    allow_private = settings.NEXUS_WEBHOOKS_ALLOW_PRIVATE
    if parts.scheme != "https" and not (allow_private and parts.scheme == "http"):
        raise ValueError("Webhook URLs must use https.")
    if not parts.hostname:
        raise ValueError("The URL has no host.")
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or 443, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as exc:
        raise ValueError(f"The host {parts.hostname} does not resolve.") from exc
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if not address.is_global and not allow_private:
            raise ValueError(
                f"{parts.hostname} resolves to {address}, which is not a public address."
            )


def discord_message(plan: EventAudiences) -> dict[str, object]:
    """A Discord webhook body: one embed, and no @everyone or role pings."""
    message = plan.webhook_message
    link = settings.SITE_URL.rstrip("/") + str(message.get("url", ""))
    return {
        "username": "Nexus",
        "allowed_mentions": {"parse": []},
        "embeds": [
            {
                "title": str(message.get("title", ""))[:256],
                "description": str(message.get("description", ""))[:2000],
                "url": link,
                "color": DISCORD_COLOUR,
                "footer": {"text": f"by {message.get('author', 'Nexus')}"[:2048]},
            }
        ],
    }


def deliveries_for(event: OutboxEvent, plan: EventAudiences) -> list[Delivery]:
    """Unsaved deliveries for every active webhook that carries this event.

    A webhook with technologies only carries events about one of them.
    """
    hooks = Webhook.objects.filter(is_active=True).prefetch_related("technologies")
    body = discord_message(plan)
    deliveries = []
    for hook in hooks:
        if plan.webhook_topic not in hook.events:
            continue
        wanted = {t.pk for t in hook.technologies.all()}
        if wanted and not wanted & set(plan.technology_ids):
            continue
        deliveries.append(
            Delivery(
                key=f"webhook:{hook.pk}:event:{event.pk}",
                channel=Delivery.Channel.WEBHOOK,
                webhook=hook,
                payload={"json": body},
            )
        )
    return deliveries
