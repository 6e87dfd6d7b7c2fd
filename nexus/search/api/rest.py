"""REST door of search: `search/` and `search/suggest/`."""

from __future__ import annotations

from typing import Any

from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param
from rest_framework.views import APIView

from nexus.search import selectors
from nexus.search.models import SearchDocument

SEARCH_DESCRIPTION = f"""\
Full-text search across guides, challenges, solutions, channel messages and
people, best match first. Only what you may read is found: drafts, hidden posts
and private channels only by those allowed; channel messages only when signed in.

On PostgreSQL `q` takes web-search syntax: `"quoted phrases"`, `-word` to
exclude, `or` between alternatives; solved challenges and accepted solutions
rank first among equals. `snippet` is safe HTML: the matched words are in
`<mark>`, everything else is escaped.

Bad input: a missing or blank `q`, or one over {selectors.Q_MAX} characters, an
unknown `type` or `technology`, a `limit` that is not a positive whole number,
or a cursor we did not give are a 400 `validation_error`. A `q` with no letter
or digit (only punctuation or operators), only common words (`the`) or only
exclusions (`-docker`) finds nothing: 200 with no results.

Pages: `limit` results (default {selectors.LIMIT_DEFAULT}, at most
{selectors.LIMIT_MAX}); `next` is the URL of the next page, or null.
"""

SUGGEST_DESCRIPTION = f"""\
Up to {selectors.SUGGEST_LIMIT} titles of guides and challenges you may read
that look like `q`, for search-as-you-type. On PostgreSQL typos are tolerated
("dokcer" finds Docker) by trigram similarity. Same `q` rules as search; fewer
than {selectors.SUGGEST_MIN_CHARS} letters or digits suggest nothing.
"""


class SearchResultSerializer(serializers.Serializer[Any]):
    type = serializers.ChoiceField(choices=SearchDocument.Kind.choices, read_only=True)
    id = serializers.IntegerField(read_only=True, help_text="The id of the guide, challenge...")
    slug = serializers.CharField(
        read_only=True, allow_null=True, help_text="Guides: their slug; people: their username."
    )
    title = serializers.CharField(read_only=True)
    snippet = serializers.CharField(
        read_only=True, help_text="Safe HTML: matches in <mark>, all else escaped."
    )
    url = serializers.CharField(read_only=True, help_text="Its path in this API.")
    score = serializers.FloatField(read_only=True, help_text="Higher is a better match.")
    status = serializers.CharField(
        read_only=True,
        allow_null=True,
        help_text="Challenges: open, solved...; guides: draft or published; "
        "solutions: accepted or null.",
    )


class SearchPageSerializer(serializers.Serializer[Any]):
    next = serializers.CharField(read_only=True, allow_null=True)
    results = SearchResultSerializer(many=True, read_only=True)


class SuggestionSerializer(serializers.Serializer[Any]):
    type = serializers.ChoiceField(choices=SearchDocument.Kind.choices, read_only=True)
    id = serializers.IntegerField(read_only=True)
    slug = serializers.CharField(read_only=True, allow_null=True)
    title = serializers.CharField(read_only=True)
    url = serializers.CharField(read_only=True)


class SuggestionListSerializer(serializers.Serializer[Any]):
    results = SuggestionSerializer(many=True, read_only=True)


Q_PARAMETER = OpenApiParameter(
    "q", OpenApiTypes.STR, required=True, description=f"1 to {selectors.Q_MAX} characters."
)


class SearchView(APIView):
    permission_classes = (permissions.AllowAny,)

    @extend_schema(
        tags=["search"],
        summary="Search",
        description=SEARCH_DESCRIPTION,
        parameters=[
            Q_PARAMETER,
            OpenApiParameter(
                "type", OpenApiTypes.STR, enum=SearchDocument.Kind.values, description="One kind."
            ),
            OpenApiParameter("technology", OpenApiTypes.STR, description="A technology slug."),
            OpenApiParameter(
                "limit", OpenApiTypes.INT, description=f"At most {selectors.LIMIT_MAX}."
            ),
            OpenApiParameter("cursor", OpenApiTypes.STR, description="From `next`."),
        ],
        responses={200: SearchPageSerializer},
    )
    def get(self, request: Request) -> Response:
        params = request.query_params
        page = selectors.search(
            viewer=request.user,
            q=params.get("q"),
            type=params.get("type"),
            technology=params.get("technology"),
            limit=params.get("limit"),
            cursor=params.get("cursor"),
        )
        next_url = (
            replace_query_param(request.build_absolute_uri(), "cursor", page.next_cursor)
            if page.next_cursor
            else None
        )
        return Response(
            {
                "next": next_url,
                "results": SearchResultSerializer(page.results, many=True).data,
            }
        )


class SuggestView(APIView):
    permission_classes = (permissions.AllowAny,)

    @extend_schema(
        tags=["search"],
        summary="Title suggestions",
        description=SUGGEST_DESCRIPTION,
        parameters=[Q_PARAMETER],
        responses={200: SuggestionListSerializer},
    )
    def get(self, request: Request) -> Response:
        suggestions = selectors.suggest(viewer=request.user, q=request.query_params.get("q"))
        return Response({"results": SuggestionSerializer(suggestions, many=True).data})


urlpatterns = [
    path("search/", SearchView.as_view(), name="search"),
    path("search/suggest/", SuggestView.as_view(), name="search-suggest"),
]
