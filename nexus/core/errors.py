"""The one error shape of the API, and the domain errors services raise.

Every 4xx and 5xx answer is a JSON object::

    {"type": "validation_error", "detail": "...", "errors": {"field": ["..."]},
     "request_id": "..."}

Services raise the domain errors below; the DRF exception handler and the
GraphQL error extension both turn them into this contract, so neither door
catches and rewrites.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from django.core import exceptions as django_exceptions
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, JsonResponse
from rest_framework import exceptions as drf_exceptions
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import set_rollback

from nexus.core.logging import request_id_var

logger = logging.getLogger(__name__)

FieldErrors = dict[str, list[str]]


class DomainError(Exception):
    """Base of the errors services raise; each maps to one HTTP status."""

    status_code: int = status.HTTP_400_BAD_REQUEST
    error_type: str = "bad_request"
    default_detail: str = "The request could not be processed."

    def __init__(
        self,
        detail: str | None = None,
        *,
        errors: Mapping[str, Sequence[str] | str] | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        self.detail = detail or self.default_detail
        self.errors: FieldErrors = {
            field: [messages] if isinstance(messages, str) else list(messages)
            for field, messages in (errors or {}).items()
        }
        self.extra = dict(extra or {})
        super().__init__(self.detail)


class ValidationError(DomainError):
    status_code = status.HTTP_400_BAD_REQUEST
    error_type = "validation_error"
    default_detail = "The submitted data is not valid."


class NotAuthenticated(DomainError):
    status_code = status.HTTP_401_UNAUTHORIZED
    error_type = "not_authenticated"
    default_detail = "Authentication credentials were not provided."


class AuthenticationFailed(DomainError):
    status_code = status.HTTP_401_UNAUTHORIZED
    error_type = "authentication_failed"
    default_detail = "Incorrect authentication credentials."


class PermissionDenied(DomainError):
    status_code = status.HTTP_403_FORBIDDEN
    error_type = "permission_denied"
    default_detail = "You do not have permission to perform this action."


class NotFound(DomainError):
    status_code = status.HTTP_404_NOT_FOUND
    error_type = "not_found"
    default_detail = "Not found."


class Conflict(DomainError):
    status_code = status.HTTP_409_CONFLICT
    error_type = "conflict"
    default_detail = "The resource changed since you read it."


def error_body(
    error_type: str,
    detail: str,
    errors: Mapping[str, Any] | None = None,
    extra: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": error_type,
        "detail": detail,
        "errors": dict(errors or {}),
        "request_id": request_id_var.get(),
    }
    if extra:
        body.update(extra)
    return body


def _flatten_drf_detail(detail: Any) -> FieldErrors:
    """Turn DRF's nested ValidationError detail into `{field: [messages]}`.

    Nested fields are joined with dots (`profile.cohort`), list items by index
    (`technologies.2`), so a client can point at the exact input.
    """
    flat: FieldErrors = {}

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, Mapping):
            for key, child in value.items():
                walk(f"{prefix}.{key}" if prefix else str(key), child)
        elif isinstance(value, list):
            if all(not isinstance(item, Mapping | list) for item in value):
                flat.setdefault(prefix or "non_field_errors", []).extend(str(v) for v in value)
            else:
                for index, child in enumerate(value):
                    if child:
                        walk(f"{prefix}.{index}" if prefix else str(index), child)
        else:
            flat.setdefault(prefix or "non_field_errors", []).append(str(value))

    walk("", detail)
    return flat


_DRF_TYPES: dict[type[drf_exceptions.APIException], str] = {
    drf_exceptions.ValidationError: "validation_error",
    drf_exceptions.ParseError: "parse_error",
    drf_exceptions.NotAuthenticated: "not_authenticated",
    drf_exceptions.AuthenticationFailed: "authentication_failed",
    drf_exceptions.PermissionDenied: "permission_denied",
    drf_exceptions.NotFound: "not_found",
    drf_exceptions.MethodNotAllowed: "method_not_allowed",
    drf_exceptions.NotAcceptable: "not_acceptable",
    drf_exceptions.UnsupportedMediaType: "unsupported_media_type",
    drf_exceptions.Throttled: "throttled",
}


def _drf_error_type(exc: drf_exceptions.APIException) -> str:
    for klass in type(exc).__mro__:
        if klass in _DRF_TYPES:
            return _DRF_TYPES[klass]
    codes = exc.get_codes()
    return codes if isinstance(codes, str) else "error"


def exception_handler(exc: Exception, context: Mapping[str, Any]) -> Response | None:
    """DRF's exception handler: every error leaves in the one shape."""
    headers: dict[str, str] = {}
    if isinstance(exc, DomainError):
        set_rollback()
        body = error_body(exc.error_type, exc.detail, exc.errors, exc.extra)
        return Response(body, status=exc.status_code)

    if isinstance(exc, Http404):
        exc = drf_exceptions.NotFound()
    elif isinstance(exc, django_exceptions.PermissionDenied):
        exc = drf_exceptions.PermissionDenied()
    elif isinstance(exc, RequestDataTooBig):
        return Response(_payload_too_large_body(), status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
    elif isinstance(exc, django_exceptions.ValidationError):
        exc = drf_exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )

    if not isinstance(exc, drf_exceptions.APIException):
        return None  # a real bug: Django's handler500 answers and it is logged

    set_rollback()
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = str(exc.auth_header)  # type: ignore[attr-defined]
    wait = getattr(exc, "wait", None)
    if isinstance(exc, drf_exceptions.Throttled) and wait is not None:
        headers["Retry-After"] = str(int(wait) + 1)

    error_type = _drf_error_type(exc)
    if isinstance(exc, drf_exceptions.ValidationError):
        errors = _flatten_drf_detail(exc.detail)
        detail = "The submitted data is not valid."
    else:
        errors = {}
        detail = _detail_text(exc.detail)
        error_type = token_error_type(exc, error_type)
    return Response(error_body(error_type, detail, errors), status=exc.status_code, headers=headers)


# simplejwt's refusals that clients act on (refresh, sign in again), by their own code.
TOKEN_ERROR_TYPES = frozenset({"token_not_valid", "user_not_found", "user_inactive"})


def token_error_type(exc: drf_exceptions.APIException, default: str) -> str:
    """simplejwt's own code for a refused token, which it keeps as the detail's
    "code" entry, when it is one of TOKEN_ERROR_TYPES; else `default`."""
    code: Any = exc.get_codes()
    if isinstance(exc.detail, Mapping) and "code" in exc.detail:
        code = str(exc.detail["code"])
    elif isinstance(code, dict):
        code = code.get("code", default)
    return code if isinstance(code, str) and code in TOKEN_ERROR_TYPES else default


def _detail_text(detail: Any) -> str:
    if isinstance(detail, Mapping):
        if "detail" in detail:
            return str(detail["detail"])
        return "; ".join(str(v) for v in detail.values())
    if isinstance(detail, list):
        return "; ".join(str(v) for v in detail)
    return str(detail)


def _payload_too_large_body() -> dict[str, Any]:
    from django.conf import settings

    return error_body(
        "payload_too_large",
        f"The request body is larger than the limit of {settings.MAX_REQUEST_BYTES} bytes.",
    )


def payload_too_large_response() -> JsonResponse:
    return JsonResponse(_payload_too_large_body(), status=413)


# Django-level handlers, for what never reaches a DRF view.


def handler400(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    if isinstance(exception, RequestDataTooBig):
        return payload_too_large_response()
    return JsonResponse(
        error_body("bad_request", "The request could not be understood."), status=400
    )


def handler403(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return JsonResponse(
        error_body("permission_denied", "You do not have permission to perform this action."),
        status=403,
    )


def handler404(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return JsonResponse(error_body("not_found", f"No resource at {request.path}."), status=404)


def handler500(request: HttpRequest) -> JsonResponse:
    return JsonResponse(
        error_body("server_error", "Something went wrong on our side; it has been logged."),
        status=500,
    )
