"""Operational endpoints: liveness, readiness, and the CSRF failure answer."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from nexus.core import health
from nexus.core.errors import error_body

logger = logging.getLogger(__name__)


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness: the process answers. Touches no database, cache or broker."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    """Readiness: database, cache and broker each answer; 503 names what failed."""
    checks: dict[str, Callable[[], object]] = {
        "database": health.check_database,
        "cache": health.check_cache,
        "broker": health.check_broker,
    }
    results: dict[str, str] = {}
    failures: dict[str, list[str]] = {}
    for name, check in checks.items():
        try:
            outcome = check()
            results[name] = outcome if isinstance(outcome, str) else "ok"
        except Exception as exc:  # any failure of a dependency means not ready
            logger.warning("readiness check failed", extra={"check": name, "error": str(exc)})
            results[name] = "failed"
            failures[name] = [f"{type(exc).__name__}: {exc}"]
    if failures:
        detail = "Not ready: " + ", ".join(sorted(failures)) + " unavailable."
        return JsonResponse(
            error_body("service_unavailable", detail, failures, {"checks": results}), status=503
        )
    return JsonResponse({"status": "ok", "checks": results})


def csrf_failure(request: HttpRequest, reason: str = "") -> JsonResponse:
    return JsonResponse(
        error_body(
            "csrf_failed",
            "CSRF check failed: session-authenticated writes need the CSRF token "
            "(or use a Bearer token instead of the session).",
        ),
        status=403,
    )
