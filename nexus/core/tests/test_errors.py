from __future__ import annotations

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import path

from nexus.core.errors import NotFound, error_body, exception_handler

pytestmark = pytest.mark.django_db


def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug")


urlpatterns = [path("boom/", boom)]
handler500 = "nexus.core.errors.handler500"


def test_an_unknown_path_is_a_json_404(client):
    response = client.get("/api/v1/no-such-thing/")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["type"] == "not_found"


def test_a_wrong_method_is_a_405_in_the_error_shape(api_client):
    response = api_client.delete("/api/v1/auth/token/")

    assert response.status_code == 405
    assert response.json()["type"] == "method_not_allowed"


def test_an_unhandled_bug_is_a_json_500_without_details(settings):
    settings.ROOT_URLCONF = __name__
    client = Client(raise_request_exception=False)

    response = client.get("/boom/")

    assert response.status_code == 500
    body = response.json()
    assert body["type"] == "server_error"
    assert "a bug" not in response.content.decode()


def test_every_error_carries_the_request_id_of_its_response(api_client):
    response = api_client.get("/api/v1/me/")

    assert response.json()["request_id"] == response["X-Request-ID"]


def test_a_client_request_id_is_echoed_and_a_bad_one_replaced(client):
    good = client.get("/healthz", HTTP_X_REQUEST_ID="trace-1234abcd")
    bad = client.get("/healthz", HTTP_X_REQUEST_ID="<script>")

    assert good["X-Request-ID"] == "trace-1234abcd"
    assert bad["X-Request-ID"] != "<script>"
    assert len(bad["X-Request-ID"]) == 32


def test_domain_errors_keep_their_status_and_extra_fields():
    response = exception_handler(NotFound("gone", extra={"current": 3}), {})

    assert response is not None
    assert response.status_code == 404
    assert response.data == error_body("not_found", "gone", {}, {"current": 3})
