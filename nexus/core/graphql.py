"""GraphQL plumbing shared by every app: the view, auth, limits and errors."""

from __future__ import annotations

from collections.abc import Sequence
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any, Generic, TypeVar

import strawberry
from cross_web import HTTPException  # what strawberry's views raise to refuse a request
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponseBase, JsonResponse
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import csrf_exempt
from graphql.error import GraphQLError
from rest_framework import exceptions as drf_exceptions
from rest_framework.authentication import CSRFCheck
from strawberry.django.views import GraphQLView
from strawberry.extensions import MaskErrors
from strawberry.types import Info
from strawberry_django.optimizer import OptimizerStore, optimize

from nexus.accounts.authentication import JWTAuthentication
from nexus.core.errors import (
    DomainError,
    NotAuthenticated,
    NotFound,
    ValidationError,
    error_body,
    token_error_type,
)
from nexus.core.pagination import MAX_PAGE_SIZE, PAGE_SIZE, Cursor, Keyset
from nexus.core.pagination import Page as KeysetPage

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

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        # MaskErrors hands every error here (its default masks them all).
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


# --- Cursor pages ------------------------------------------------------------------------

Item = TypeVar("Item")

First = Annotated[int, strawberry.argument(description=f"How many items: 1 to {MAX_PAGE_SIZE}.")]
After = Annotated[
    str | None,
    strawberry.argument(
        description="Start after this cursor: a page's `pageInfo.endCursor`, or the "
        "`cursor` of the REST list's `next` link (the same cursors). Left out: the first page."
    ),
]
PAGED = (
    f"A page: `first` items (default {PAGE_SIZE}, at most {MAX_PAGE_SIZE}) after the cursor "
    "`after`; follow `pageInfo.endCursor` while `pageInfo.hasNextPage`."
)


@strawberry.type(description="Where a page ends, and whether another follows.")
class PageInfo:
    has_next_page: bool
    end_cursor: str | None = strawberry.field(
        description="The cursor of the page's last item, null when the page is empty: "
        "pass it as `after` for the next page."
    )


class PageReader:
    """Reads one page of a list for the `results` and `pageInfo` of its GraphQL page.

    `results` reads the page in one query shaped by the optimizer for the
    selection; `pageInfo` then reads nothing more. A `pageInfo` selected before
    `results` reads the page's keys itself (one small query) as it resolves first.
    """

    def __init__(self, bounded: QuerySet[Any], keyset: Keyset, cursor: Cursor | None, size: int):
        self.bounded, self.keyset, self.cursor, self.size = bounded, keyset, cursor, size
        self.page: KeysetPage[Any] | None = None
        self.has_rows = False

    def rows(self, info: Info[Any, Any]) -> list[Any]:
        if not self.has_rows:
            # The keys are loaded whatever the selection: the cursor is made of them.
            keys = OptimizerStore.with_hints(only=self.keyset.fields)
            shaped = optimize(self.bounded, info, store=keys)
            self.page, self.has_rows = self.keyset.page(shaped, self.cursor, self.size), True
        assert self.page is not None
        return self.page.rows

    def info(self) -> PageInfo:
        if self.page is None:
            keys = self.bounded.prefetch_related(None).values(*self.keyset.fields)
            self.page = self.keyset.page(keys, self.cursor, self.size)
        return PageInfo(has_next_page=self.page.has_next, end_cursor=self.page.end_cursor)


class ReadPage:
    """A page a selector read itself, for a list that pages its own way (search)."""

    def __init__(self, rows: list[Any], *, end_cursor: str | None) -> None:
        self.read, self.end_cursor = rows, end_cursor

    def rows(self, info: Info[Any, Any]) -> list[Any]:
        return self.read

    def info(self) -> PageInfo:
        return PageInfo(has_next_page=self.end_cursor is not None, end_cursor=self.end_cursor)


@strawberry.type(description="A page of a list and where it ends.")
class Page(Generic[Item]):
    reader: strawberry.Private[PageReader | ReadPage]

    @strawberry.field(description="The page's items, in the list's order.")
    def results(self, info: Info[Any, Any]) -> list[Item]:
        return self.reader.rows(info)

    @strawberry.field
    def page_info(self) -> PageInfo:
        return self.reader.info()


def page_reader(
    queryset: QuerySet[Any], *, ordering: Sequence[str], first: int | None, after: str | None
) -> PageReader:
    """The page of `queryset` in `ordering` that `first` and `after` ask for;
    a `validation_error` on `first` out of 1 to 100, or on an `after` we did not give."""
    first = PAGE_SIZE if first is None else first
    if not 1 <= first <= MAX_PAGE_SIZE:
        raise ValidationError(errors={"first": [f"From 1 to {MAX_PAGE_SIZE}."]})
    cursor = Cursor.decode(after, field="after") if after else None
    keyset = Keyset(queryset.model, ordering)
    return PageReader(keyset.bounded(queryset, cursor, field="after"), keyset, cursor, first)


def page(
    queryset: QuerySet[Any], *, ordering: Sequence[str], first: int | None, after: str | None
) -> Page[Any]:
    """A GraphQL page of `queryset`: see `page_reader`."""
    return Page(reader=page_reader(queryset, ordering=ordering, first=first, after=after))
