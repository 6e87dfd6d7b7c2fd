"""A plain Django JSON view, with no middleware, database or cache.

`make bench` serves it under gunicorn and loads it as it loads Nexus, once per
run, to say how fast the machine is: the targets were set on a machine where
this view served about 6,300 requests a second (`run.REFERENCE_PLAIN_RPS`).
"""

from __future__ import annotations

from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.http import HttpRequest, JsonResponse
from django.urls import path

settings.configure(
    DEBUG=False,
    SECRET_KEY="bench-plain-view-signs-nothing-0123456789-abcdefghijklmnopqrstuvwxyz",  # noqa: S106 -- signs nothing
    ALLOWED_HOSTS=["127.0.0.1", "localhost", "testserver"],
    ROOT_URLCONF=__name__,
    MIDDLEWARE=[],
    INSTALLED_APPS=[],
)


def status(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


urlpatterns = [path("", status)]

application = get_wsgi_application()
