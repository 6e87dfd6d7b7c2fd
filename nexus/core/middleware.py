"""Request id and access log, and the request body limit."""

from __future__ import annotations

import hashlib
import logging
import re
import time
import uuid
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.utils.cache import patch_vary_headers

from nexus.core.errors import payload_too_large_response
from nexus.core.logging import request_id_var

access_logger = logging.getLogger("nexus.request")
logger = logging.getLogger(__name__)

# A client may pass its own id to trace a call end to end; anything odd is replaced.
_CLIENT_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")

Handler = Callable[[HttpRequest], HttpResponseBase]


class RequestIdMiddleware:
    """Gives each request an id (`X-Request-ID`) and logs one line for it."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _CLIENT_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request_id
            user = getattr(request, "user", None)
            access_logger.info(
                "request",
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                    "user_id": user.pk if user is not None and user.is_authenticated else None,
                },
            )
            return response
        finally:
            request_id_var.reset(token)


class BodySizeLimitMiddleware:
    """Refuses a body over MAX_REQUEST_BYTES with 413 before anything reads it."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase | HttpResponse:
        raw_length = request.META.get("CONTENT_LENGTH") or "0"
        try:
            length = int(raw_length)
        except ValueError:
            length = 0
        if length > settings.MAX_REQUEST_BYTES:
            return payload_too_large_response()
        return self.get_response(request)


# Anonymous reads worth caching, and the cache namespaces each depends on.
CACHED_READS: tuple[tuple[re.Pattern[str], tuple[str, ...]], ...] = (
    (re.compile(r"^/api/v1/(technologies|concepts)/([^/]+/)?$"), ("reference", "guides")),
    (re.compile(r"^/api/v1/tags/$"), ("reference", "guides")),
    (re.compile(r"^/api/v1/challenges/(\d+/)?$"), ("challenges",)),
    (re.compile(r"^/api/v1/guides/[^/]+/$"), ("guides", "reference")),
    (re.compile(r"^/api/v1/leaderboard/$"), ("leaderboard",)),
)
CACHED_READ_SECONDS = 300
# What a view does besides answering, that a cached answer must still do
# (counting a challenge's views): called with the path's match on every hit.
CACHED_HIT_HOOKS: list[tuple[re.Pattern[str], Callable[[re.Match[str]], None]]] = []


def on_cached_hit(pattern: str, hook: Callable[[re.Match[str]], None]) -> None:
    """Register `hook` for cached answers to paths matching `pattern` (apps' ready())."""
    CACHED_HIT_HOOKS.append((re.compile(pattern), hook))


def _run_cached_hit_hooks(path: str) -> None:
    for pattern, hook in CACHED_HIT_HOOKS:
        if match := pattern.match(path):
            try:
                hook(match)
            except Exception:  # a side effect never costs the reader their answer
                logger.exception("A cached-hit hook failed", extra={"path": path})


# Request headers a cached page is keyed on: every one a stored response may
# vary on (`Vary`). A response that varies on any other is not stored.
KEY_HEADERS = ("Accept", "Accept-Encoding", "Accept-Language", "Authorization", "Cookie", "Origin")
_KEY_META = tuple("HTTP_" + name.upper().replace("-", "_") for name in KEY_HEADERS)
_KEYED = frozenset(name.lower() for name in KEY_HEADERS)


class AnonymousReadCacheMiddleware:
    """Serves hot anonymous GETs from the cache, rendered, without touching the database.

    Only requests with no credentials (no Authorization header, no session
    cookie), asking for JSON; every page of a list, each under its own key.
    It sits below the middleware that add the security, CORS and request id headers and answer
    conditional GETs, so a hit gets what a miss gets. A page is keyed by
    scheme, host, path, query and the request's `KEY_HEADERS`, and stored with
    its headers and the versions of the namespaces it depends on
    (nexus.core.cache); its ETag names both, so ConditionalGetMiddleware
    answers a repeated GET with 304.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        namespaces = self._namespaces(request)
        if namespaces is None or not settings.NEXUS_CACHE_ENABLED:
            return self.get_response(request)
        from nexus.core import cache

        meta = request.META
        parts = [request.scheme, request.get_host(), request.path, meta.get("QUERY_STRING", "")]
        parts += [meta.get(name, "") for name in _KEY_META]
        key = "page:" + hashlib.md5("\n".join(parts).encode(), usedforsecurity=False).hexdigest()
        current, page = cache.read_page(key, namespaces)
        if page is not None:
            status, headers, content = page
            response: HttpResponseBase = HttpResponse(content, status=status, headers=headers)
            response["X-Cache"] = "hit"
            _run_cached_hit_hooks(request.path)
            return response
        response = self.get_response(request)
        if request.method == "GET" and isinstance(response, HttpResponse) and _storable(response):
            tag = hashlib.md5(f"{current}{key}".encode(), usedforsecurity=False).hexdigest()
            response["ETag"] = f'W/"{tag}"'
            # Anyone may keep it, but must ask again each time; the ETag makes asking cheap.
            response["Cache-Control"] = "public, max-age=0, must-revalidate"
            patch_vary_headers(response, ("Authorization", "Cookie"))
            page = (response.status_code, dict(response.items()), response.content)
            cache.write_page(key, namespaces, current, page, CACHED_READ_SECONDS)
            response["X-Cache"] = "miss"
        return response

    @staticmethod
    def _namespaces(request: HttpRequest) -> tuple[str, ...] | None:
        if request.method not in ("GET", "HEAD"):
            return None
        if "HTTP_AUTHORIZATION" in request.META or settings.SESSION_COOKIE_NAME in request.COOKIES:
            return None
        if "text/html" in request.headers.get("Accept", ""):
            return None
        for pattern, namespaces in CACHED_READS:
            if pattern.match(request.path):
                return namespaces
        return None


def _storable(response: HttpResponse) -> bool:
    """A 200 that sets no cookie, is not private and varies only on `KEY_HEADERS`."""
    cache_control = response.get("Cache-Control", "")
    if response.status_code != 200 or response.cookies:
        return False
    if "private" in cache_control or "no-store" in cache_control:
        return False
    varies = {name.strip().lower() for name in response.get("Vary", "").split(",")}
    return varies - {""} <= _KEYED


class ReplicaPinMiddleware:
    """Keeps a writer on the primary database for a short while after they write."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if "replica" not in settings.DATABASES:
            return self.get_response(request)
        from django.core.cache import cache

        from nexus.core.db_router import pinned_to_primary

        who = self._who(request)
        token = pinned_to_primary.set(bool(who and cache.get(f"replica-pin:{who}")))
        try:
            response = self.get_response(request)
            if pinned_to_primary.get() and who:
                cache.set(f"replica-pin:{who}", 1, timeout=settings.REPLICA_PIN_SECONDS)
            return response
        finally:
            pinned_to_primary.reset(token)

    @staticmethod
    def _who(request: HttpRequest) -> str:
        header = request.headers.get("Authorization", "")
        if header:
            return "auth:" + hashlib.sha256(header.encode()).hexdigest()[:32]
        session = request.COOKIES.get(settings.SESSION_COOKIE_NAME, "")
        return f"session:{session}" if session else ""
