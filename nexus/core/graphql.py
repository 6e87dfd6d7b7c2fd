"""GraphQL plumbing shared by every app: the view, auth, limits and errors."""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING, Any

import strawberry
from cross_web import HTTPException  # what strawberry's views raise to refuse a request
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ObjectDoesNotExist
from django.http import HttpRequest, HttpResponseBase, JsonResponse
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import csrf_exempt
from graphql.error import GraphQLError
from rest_framework import exceptions as drf_exceptions
from rest_framework.authentication import CSRFCheck
from strawberry.django.views import GraphQLView
from strawberry.extensions import MaskErrors
from strawberry.types import Info

from nexus.accounts.authentication import JWTAuthentication
from nexus.core.errors import (
    DomainError,
    NotAuthenticated,
    NotFound,
    error_body,
    token_error_type,
)

if TYPE_CHECKING:
    from nexus.accounts.models import User

# Limits that keep one request from costing the server more than a page of REST.
MAX_QUERY_DEPTH = 10
MAX_ALIASES = 15
MAX_TOKENS = 2000


def _csrf_failure_reason(request: HttpRequest) -> str | None:
    check = CSRFCheck(lambda req: None)  # type: ignore[arg-type]
    check.process_request(request)
    return check.process_view(request, None, (), {})  # type: ignore[arg-type, return-value]


# The type of a request strawberry refuses before running it, by its status.
_HTTP_ERROR_TYPES = {
    400: "bad_request",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
}
_UNPARSABLE_BODY = "Unable to parse request body as JSON"


def _http_error_response(exc: HTTPException) -> JsonResponse:
    """A request strawberry refused (a body that is not JSON, no query, a PUT), in
    the API's one error shape instead of strawberry's plain text."""
    error_type = _HTTP_ERROR_TYPES.get(exc.status_code, "bad_request")
    if exc.status_code == 400 and exc.reason == _UNPARSABLE_BODY:
        error_type = "parse_error"
    response = JsonResponse(error_body(error_type, exc.reason), status=exc.status_code)
    if exc.status_code == 405:
        response["Allow"] = "GET, POST"
    return response


@method_decorator(csrf_exempt, name="dispatch")
class NexusGraphQLView(GraphQLView):
    """Strawberry's view with the REST API's authentication.

    A `Bearer` access token authenticates like REST and, as a header a
    browser never sends by itself, needs no CSRF token. Without one the
    session applies and, as with DRF's SessionAuthentication, a signed-in
    session must send the CSRF token: the view is exempt from the middleware
    only so that token clients are not refused, and it checks CSRF itself.
    """

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        header = request.headers.get("Authorization", "")
        if header:
            try:
                authenticated = JWTAuthentication().authenticate(request)  # type: ignore[arg-type]
            except drf_exceptions.AuthenticationFailed as exc:
                return JsonResponse(
                    error_body(
                        token_error_type(exc, "authentication_failed"),
                        "The access token is invalid or expired.",
                    ),
                    status=401,
                    headers={"WWW-Authenticate": 'Bearer realm="api"'},
                )
            if authenticated is None:
                return JsonResponse(
                    error_body(
                        "authentication_failed",
                        "Use `Authorization: Bearer <access token>`.",
                    ),
                    status=401,
                    headers={"WWW-Authenticate": 'Bearer realm="api"'},
                )
            request.user = authenticated[0]  # type: ignore[assignment]
        elif request.method == "POST" and request.user.is_authenticated:
            reason = _csrf_failure_reason(request)
            if reason:
                return JsonResponse(
                    error_body("csrf_failed", f"CSRF check failed: {reason}"), status=403
                )
        try:
            return self.run(request=request)
        except HTTPException as exc:
            return _http_error_response(exc)


def request_user(info: Info[Any, Any]) -> Any:
    """The user of this GraphQL request (AnonymousUser when signed out)."""
    request = info.context.request
    return getattr(request, "user", None) or AnonymousUser()


def signed_in(info: Info[Any, Any]) -> User:
    """The signed-in user of this request; `not_authenticated` for anyone else."""
    user = request_user(info)
    if not user.is_authenticated:
        raise NotAuthenticated("Sign in first: send `Authorization: Bearer <access token>`.")
    return user  # type: ignore[no-any-return]


def sent_fields(input: object) -> dict[str, Any]:
    """The fields of an input the client sent, under the services' (snake_case)
    names, enums as their values; fields left out stay out."""
    return {
        key: value.value if isinstance(value, Enum) else value
        for key, value in vars(input).items()
        if value is not strawberry.UNSET
    }


def given_filters(**filters: Any) -> dict[str, Any]:
    """Query arguments as selectors take filters: unset ones dropped, booleans
    as `true`/`false` like query strings."""
    given: dict[str, Any] = {}
    for name, value in filters.items():
        if value is None:
            continue
        given[name] = ("true" if value else "false") if isinstance(value, bool) else value
    return given


class ErrorShapeExtension(MaskErrors):
    """GraphQL errors carry the REST error types in `extensions`.

    A domain error keeps its message and gets `code` and `errors`; a query
    the schema refuses keeps its message with code `bad_query`; anything else
    is a bug, so its message is masked as `server_error`.
    """

    def _process_errors(self, errors: list[GraphQLError]) -> list[GraphQLError]:
        return [self._shape(error) for error in errors]

    def _shape(self, error: GraphQLError) -> GraphQLError:
        original = error.original_error
        if isinstance(original, ObjectDoesNotExist):
            original = NotFound()
        if isinstance(original, DomainError):
            message = original.detail
            extensions: dict[str, Any] = {"code": original.error_type, "errors": original.errors}
            extensions.update(original.extra)
        elif original is None or isinstance(original, GraphQLError) or error.path is None:
            # Refused before any resolver ran (syntax, validation, variable coercion
            # such as an unknown enum value): the client's query is at fault.
            message = error.message
            extensions = {"code": "bad_query", **(error.extensions or {})}
        else:
            message = "Something went wrong on our side; it has been logged."
            extensions = {"code": "server_error"}
        return GraphQLError(
            message=message,
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            original_error=None,
            extensions=extensions,
        )
