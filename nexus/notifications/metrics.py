"""Prometheus gauges of background work, read from the database at scrape time,
so /metrics on any web process shows what every worker left behind."""

from __future__ import annotations

from collections.abc import Iterator

from django.db import DatabaseError
from django.db.models import Count
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from nexus.notifications.models import Delivery, OutboxEvent


class BackgroundWorkCollector(Collector):
    def describe(self) -> Iterator[GaugeMetricFamily]:
        # Names only: registering must not touch the database.
        yield GaugeMetricFamily("nexus_outbox_unpublished_events", "")
        yield GaugeMetricFamily("nexus_deliveries", "", labels=["channel", "status"])

    def collect(self) -> Iterator[GaugeMetricFamily]:
        try:
            unpublished = OutboxEvent.objects.filter(published_at__isnull=True).count()
            by_status = list(
                Delivery.objects.values_list("channel", "status").annotate(total=Count("id"))
            )
        except DatabaseError:
            return  # no database, no numbers: /metrics still answers
        outbox = GaugeMetricFamily(
            "nexus_outbox_unpublished_events", "Events waiting for the broker."
        )
        outbox.add_metric([], unpublished)
        yield outbox
        deliveries = GaugeMetricFamily(
            "nexus_deliveries",
            "Email and webhook deliveries by state; dead ones need staff.",
            labels=["channel", "status"],
        )
        for channel, status, total in by_status:
            deliveries.add_metric([channel, status], total)
        yield deliveries
