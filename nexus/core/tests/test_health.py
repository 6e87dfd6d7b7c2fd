from __future__ import annotations

import pytest


def test_healthz_answers_without_touching_the_database(client):
    # No django_db mark: any query here would raise and fail the test.
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_checks_database_cache_and_broker(client, settings):
    response = client.get("/readyz")

    assert response.status_code == 200, response.json()
    checks = response.json()["checks"]
    assert checks["database"] == "ok"
    assert checks["cache"] == "ok"
    assert checks["broker"] == ("ok" if settings.CELERY_BROKER_URL else "eager")


@pytest.mark.django_db
def test_readyz_names_an_unreachable_broker(client, settings):
    settings.CELERY_BROKER_URL = "amqp://guest:guest@127.0.0.1:1//"

    response = client.get("/readyz")

    assert response.status_code == 503
    body = response.json()
    assert body["type"] == "service_unavailable"
    assert set(body["errors"]) == {"broker"}
    assert body["checks"]["database"] == "ok"


@pytest.mark.django_db
def test_readyz_names_an_unreachable_cache(client, unreachable_cache):
    response = client.get("/readyz")

    assert response.status_code == 503
    assert set(response.json()["errors"]) == {"cache"}


@pytest.mark.django_db
def test_metrics_are_served_in_prometheus_format(client):
    client.get("/healthz")

    response = client.get("/metrics")

    assert response.status_code == 200
    assert b"django_http_requests_total_by_method_total" in response.content


@pytest.mark.django_db
def test_metrics_show_the_outbox_backlog_and_deliveries_by_state(client):
    from nexus.notifications.models import Delivery, OutboxEvent

    OutboxEvent.objects.create(name="challenge.created", payload={})
    Delivery.objects.create(key="email:test:1", channel="email", status="dead")

    body = client.get("/metrics").content.decode()

    assert "nexus_outbox_unpublished_events 1.0" in body
    assert 'nexus_deliveries{channel="email",status="dead"} 1.0' in body
