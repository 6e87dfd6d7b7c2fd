"""GraphQL door of search: the same selectors as REST, the same rules and errors."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types import Info

from nexus.core.graphql import request_user
from nexus.search import selectors


@strawberry.type(name="SearchResult", description="One match of a search.")
class SearchResultType:
    type: str = strawberry.field(description="guide, challenge, solution, message or user.")
    id: int = strawberry.field(description="The id of the guide, challenge, solution...")
    slug: str | None = strawberry.field(description="Guides: their slug; people: their username.")
    title: str
    snippet: str = strawberry.field(
        description="Safe HTML: the matched words in <mark>, everything else escaped."
    )
    url: str = strawberry.field(description="Its path in the REST API.")
    score: float = strawberry.field(description="Higher is a better match.")
    status: str | None = strawberry.field(
        description="Challenges: open, solved...; guides: draft or published; "
        "solutions: accepted or null."
    )


@strawberry.type(name="SearchSuggestion", description="A title that looks like what was typed.")
class SuggestionType:
    type: str
    id: int
    slug: str | None
    title: str
    url: str


@strawberry.type
class Query:
    @strawberry.field(
        description="Search guides, challenges, solutions, channel messages and people you "
        "may read, best match first. On PostgreSQL `q` takes web-search syntax (quoted "
        "phrases, -word, or). `type` is one kind; `technology` a technology slug; `limit` "
        f"at most {selectors.LIMIT_MAX}. A blank `q`, one over {selectors.Q_MAX} characters, "
        "an unknown type or technology are a validation_error; a `q` with nothing to "
        "search for (punctuation, common words, only exclusions) finds nothing."
    )
    def search(
        self,
        info: Info[Any, Any],
        q: str,
        type: str | None = None,
        technology: str | None = None,
        limit: int = selectors.LIMIT_DEFAULT,
    ) -> list[SearchResultType]:
        page = selectors.search(
            viewer=request_user(info), q=q, type=type, technology=technology, limit=limit
        )
        return page.results  # type: ignore[return-value]

    @strawberry.field(
        description=f"Up to {selectors.SUGGEST_LIMIT} titles of guides and challenges you may "
        "read that look like `q`; typos are tolerated on PostgreSQL."
    )
    def search_suggestions(self, info: Info[Any, Any], q: str) -> list[SuggestionType]:
        return selectors.suggest(viewer=request_user(info), q=q)  # type: ignore[return-value]
