"""GraphQL door of search: the same selectors as REST, the same rules and errors."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types import Info

from nexus.core.errors import ValidationError
from nexus.core.graphql import Page, ReadPage, request_user
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
        "phrases, -word, or). `type` is one kind; `technology` a technology slug. A blank "
        f"`q`, one over {selectors.Q_MAX} characters, an unknown type or technology are a "
        "validation_error; a `q` with nothing to search for (punctuation, common words, only "
        f"exclusions) finds nothing. A page: `first` results (default {selectors.LIMIT_DEFAULT}"
        f", at most {selectors.LIMIT_MAX}) after the cursor `after` (the REST search's "
        "cursors); `pageInfo.endCursor` is null on the last page."
    )
    def search(
        self,
        info: Info[Any, Any],
        q: str,
        type: str | None = None,
        technology: str | None = None,
        first: int | None = selectors.LIMIT_DEFAULT,
        after: str | None = None,
    ) -> Page[SearchResultType]:
        if first is not None and not 1 <= first <= selectors.LIMIT_MAX:
            raise ValidationError(errors={"first": [f"From 1 to {selectors.LIMIT_MAX}."]})
        try:
            found = selectors.search(
                viewer=request_user(info),
                q=q,
                type=type,
                technology=technology,
                limit=first,
                cursor=after,
            )
        except ValidationError as exc:
            if "cursor" not in exc.errors:
                raise
            # The selector names the cursor as REST sends it; here it came as `after`.
            errors = {"after" if name == "cursor" else name: e for name, e in exc.errors.items()}
            raise ValidationError(exc.detail, errors=errors) from exc
        return Page(reader=ReadPage(found.results, end_cursor=found.next_cursor))

    @strawberry.field(
        description=f"Up to {selectors.SUGGEST_LIMIT} titles of guides and challenges you may "
        "read that look like `q`; typos are tolerated on PostgreSQL."
    )
    def search_suggestions(self, info: Info[Any, Any], q: str) -> list[SuggestionType]:
        return selectors.suggest(viewer=request_user(info), q=q)  # type: ignore[return-value]
