"""GraphQL door of the reference guide: the same services and selectors as REST.

Root lists are cursor pages of the selectors' querysets, which the optimizer
completes with whatever the query selects, so a page costs a fixed number of
SQL queries. Related technologies, concepts and tags nested in another object
are `…Ref` links (`slug`, `name`); the full objects, with their guide counts,
come from the root fields. Every guide list reachable from a nested field goes
through `GuideType.get_queryset`, which keeps only the guides the viewer may read.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import strawberry
import strawberry_django
from django.db.models import QuerySet
from strawberry.types import Info

from nexus.accounts.api.graphql import UserType
from nexus.core.errors import ValidationError
from nexus.core.graphql import (
    PAGED,
    After,
    First,
    Page,
    given_filters,
    page,
    request_user,
    sent_fields,
    signed_in,
)
from nexus.core.pagination import PAGE_SIZE
from nexus.knowledge import selectors, services
from nexus.knowledge.models import Concept, Guide, GuideRevision, Tag, Technology
from nexus.knowledge.permissions import visible_guides

GUIDE_ORDERINGS = ("created_at", "-created_at", "updated_at", "-updated_at", "title", "-title")


# --- Types --------------------------------------------------------------------------


@strawberry_django.type(Tag, name="TagRef", description="A tag on a piece of content.")
class TagRefType:
    slug: str
    name: str


@strawberry_django.type(Tag, name="Tag")
class TagType(TagRefType):
    guide_count: int = strawberry_django.field(description="Published guides carrying this tag.")


@strawberry_django.type(
    Technology, name="TechnologyRef", description="A link to a technology; follow it by slug."
)
class TechnologyRefType:
    slug: str
    name: str


@strawberry_django.type(
    Concept, name="ConceptRef", description="A link to a concept; follow it by slug."
)
class ConceptRefType:
    slug: str
    name: str


@strawberry_django.type(GuideRevision, name="GuideRevision")
class GuideRevisionType:
    id: int = strawberry_django.field(description="Send it as `baseRevision` to edit.")
    number: int
    title: str
    body: str = strawberry_django.field(description="Markdown, as it was at this revision.")
    message: str
    editor: UserType
    created_at: datetime

    @strawberry_django.field(
        only=["restored_from_id"], description="The revision this one brought back, if any."
    )
    def restored_from_id(self, root: strawberry.Parent[GuideRevision]) -> int | None:
        return root.restored_from_id


@strawberry_django.type(Guide, name="Guide", description="A markdown article with its history.")
class GuideType:
    slug: str
    title: str
    body: str = strawberry_django.field(description="Markdown, as written.")
    body_html: str = strawberry_django.field(description="Rendered and sanitised HTML.")
    kind: str = strawberry_django.field(
        description="guide, best_practice, takeaway or cheat_sheet."
    )
    status: str = strawberry_django.field(description="draft or published.")
    author: UserType
    co_editors: list[UserType]
    technologies: list[TechnologyRefType]
    concepts: list[ConceptRefType]
    tags: list[TagRefType]
    current_revision: GuideRevisionType | None
    revision_count: int
    published_at: datetime | None
    deleted_at: datetime | None = strawberry_django.field(
        description="Set on deleted guides, which only staff see."
    )
    created_at: datetime
    updated_at: datetime

    @strawberry_django.field(
        only=["current_revision_id"],
        description="The current revision's id: send it as `baseRevision` to edit.",
    )
    def current_revision_id(self, root: strawberry.Parent[Guide]) -> int | None:
        return root.current_revision_id

    @classmethod
    def get_queryset(
        cls, queryset: QuerySet[Guide], info: Info[Any, Any], **kwargs: Any
    ) -> QuerySet[Guide]:
        """Any guide list resolved through this type holds only guides the viewer may read."""
        return visible_guides(queryset, request_user(info))


def _guides_by_id(guides: list[Guide]) -> QuerySet[Guide]:
    # The selector chose these guides; reading them again as a queryset lets the
    # optimizer fetch whatever the query nests in them in a fixed number of queries.
    return Guide.objects.filter(pk__in=[guide.pk for guide in guides]).order_by("-created_at")


@strawberry_django.type(Technology, name="Technology")
class TechnologyType:
    slug: str
    name: str
    category: str
    summary: str
    docs_url: str
    concepts: list[ConceptRefType]
    created_at: datetime
    updated_at: datetime

    guide_count: int = strawberry_django.field(description="Published guides on this technology.")


@strawberry_django.type(Technology, name="TechnologyDetail")
class TechnologyDetailType(TechnologyType):
    @strawberry_django.field(
        description="The latest guides on it that you may read; `guides(technology:)` has all."
    )
    def guides(self, root: strawberry.Parent[Technology]) -> list[GuideType]:
        return _guides_by_id(root.recent_guides)  # type: ignore[attr-defined, return-value]


@strawberry_django.type(Concept, name="Concept")
class ConceptType:
    slug: str
    name: str
    summary: str
    technologies: list[TechnologyRefType]
    created_at: datetime
    updated_at: datetime

    guide_count: int = strawberry_django.field(description="Published guides on this concept.")


@strawberry_django.type(Concept, name="ConceptDetail")
class ConceptDetailType(ConceptType):
    @strawberry_django.field(
        description="The latest guides on it that you may read; `guides(concept:)` has all."
    )
    def guides(self, root: strawberry.Parent[Concept]) -> list[GuideType]:
        return _guides_by_id(root.recent_guides)  # type: ignore[attr-defined, return-value]


@strawberry.type(name="RevisionDiff")
class RevisionDiffType:
    from_revision: GuideRevisionType
    to_revision: GuideRevisionType
    diff: str = strawberry.field(description="A unified diff of title and body.")


# --- Inputs ---------------------------------------------------------------------------


@strawberry.input
class CreateTechnologyInput:
    name: str
    category: str
    slug: str | None = strawberry.field(
        default=strawberry.UNSET, description="Made from the name when left out."
    )
    summary: str | None = strawberry.UNSET
    docs_url: str | None = strawberry.UNSET


@strawberry.input(description="Fields left out are not changed.")
class UpdateTechnologyInput:
    name: str | None = strawberry.UNSET
    category: str | None = strawberry.UNSET
    slug: str | None = strawberry.UNSET
    summary: str | None = strawberry.UNSET
    docs_url: str | None = strawberry.UNSET


@strawberry.input
class CreateConceptInput:
    name: str
    slug: str | None = strawberry.field(
        default=strawberry.UNSET, description="Made from the name when left out."
    )
    summary: str | None = strawberry.UNSET
    technologies: list[str] | None = strawberry.field(
        default=strawberry.UNSET, description="Technology slugs."
    )


@strawberry.input(description="Fields left out are not changed.")
class UpdateConceptInput:
    name: str | None = strawberry.UNSET
    slug: str | None = strawberry.UNSET
    summary: str | None = strawberry.UNSET
    technologies: list[str] | None = strawberry.field(
        default=strawberry.UNSET, description="Technology slugs; replaces the links."
    )


@strawberry.input
class CreateGuideInput:
    title: str
    body: str = strawberry.field(description="Markdown, up to 100,000 characters.")
    kind: str | None = strawberry.UNSET
    status: str | None = strawberry.field(
        default=strawberry.UNSET, description="`published` publishes it; a draft otherwise."
    )
    technologies: list[str] | None = strawberry.field(
        default=strawberry.UNSET, description="Technology slugs."
    )
    concepts: list[str] | None = strawberry.field(
        default=strawberry.UNSET, description="Concept slugs."
    )
    tags: list[str] | None = strawberry.field(
        default=strawberry.UNSET, description="Tag names, created as needed."
    )
    co_editors: list[str] | None = strawberry.field(
        default=strawberry.UNSET, description="Usernames."
    )
    message: str | None = strawberry.UNSET


@strawberry.input(description="Fields left out are not changed.")
class UpdateGuideInput:
    title: str | None = strawberry.UNSET
    body: str | None = strawberry.UNSET
    kind: str | None = strawberry.UNSET
    status: str | None = strawberry.UNSET
    technologies: list[str] | None = strawberry.UNSET
    concepts: list[str] | None = strawberry.UNSET
    tags: list[str] | None = strawberry.UNSET
    co_editors: list[str] | None = strawberry.UNSET
    message: str | None = strawberry.field(
        default=strawberry.UNSET, description="What changed, for the history."
    )
    base_revision: int | None = strawberry.field(
        default=strawberry.UNSET,
        description="The revision id your edit started from. Required when the title or "
        "body changes; a stale one gets a `conflict` error with the current revision.",
    )


# --- Queries --------------------------------------------------------------------------


@strawberry.type
class Query:
    @strawberry.field(description=f"Technologies by name, optionally of one category. {PAGED}")
    def technologies(
        self,
        category: str | None = None,
        q: str | None = None,
        first: First = PAGE_SIZE,
        after: After = None,
    ) -> Page[TechnologyType]:
        technologies = selectors.technology_list(filters=given_filters(category=category, q=q))
        return page(technologies, ordering=("name",), first=first, after=after)

    @strawberry.field
    def technology(self, info: Info[Any, Any], slug: str) -> TechnologyDetailType:
        technology = selectors.technology_get(viewer=request_user(info), slug=slug)
        return technology  # type: ignore[return-value]

    @strawberry.field(description=f"Concepts by name, optionally linked to one technology. {PAGED}")
    def concepts(
        self,
        technology: str | None = None,
        q: str | None = None,
        first: First = PAGE_SIZE,
        after: After = None,
    ) -> Page[ConceptType]:
        concepts = selectors.concept_list(filters=given_filters(technology=technology, q=q))
        return page(concepts, ordering=("name",), first=first, after=after)

    @strawberry.field
    def concept(self, info: Info[Any, Any], slug: str) -> ConceptDetailType:
        return selectors.concept_get(viewer=request_user(info), slug=slug)  # type: ignore[return-value]

    @strawberry.field(description=f"Tags by slug. {PAGED}")
    def tags(self, first: First = PAGE_SIZE, after: After = None) -> Page[TagType]:
        return page(selectors.tag_list(), ordering=("slug",), first=first, after=after)

    @strawberry.field(
        description="Guides you may read: published ones, your drafts, and for staff "
        f"everything. `ordering` is one of {', '.join(GUIDE_ORDERINGS)}. Staff see deleted "
        f"guides with `deleted: true`. {PAGED}"
    )
    def guides(
        self,
        info: Info[Any, Any],
        technology: str | None = None,
        concept: str | None = None,
        tag: str | None = None,
        kind: str | None = None,
        status: str | None = None,
        author: str | None = None,
        q: str | None = None,
        deleted: bool = False,
        ordering: str = "-created_at",
        first: First = PAGE_SIZE,
        after: After = None,
    ) -> Page[GuideType]:
        if ordering not in GUIDE_ORDERINGS:
            raise ValidationError(errors={"ordering": [f"One of: {', '.join(GUIDE_ORDERINGS)}."]})
        filters: dict[str, str] = given_filters(
            technology=technology,
            concept=concept,
            tag=tag,
            kind=kind,
            status=status,
            author=author,
            q=q,
        )
        if deleted:
            filters["deleted"] = "true"
        guides = selectors.guide_list(viewer=request_user(info), filters=filters)
        return page(guides, ordering=(ordering,), first=first, after=after)

    @strawberry.field(description="A guide you may read.")
    def guide(self, info: Info[Any, Any], slug: str) -> GuideType:
        return selectors.guide_get(viewer=request_user(info), slug=slug)  # type: ignore[return-value]

    @strawberry.field(description=f"A guide's revisions, newest first. {PAGED}")
    def guide_revisions(
        self, info: Info[Any, Any], slug: str, first: First = PAGE_SIZE, after: After = None
    ) -> Page[GuideRevisionType]:
        revisions = selectors.guide_revision_list(viewer=request_user(info), slug=slug)
        return page(revisions, ordering=("-number",), first=first, after=after)

    @strawberry.field
    def guide_revision(self, info: Info[Any, Any], slug: str, id: int) -> GuideRevisionType:
        revision = selectors.guide_revision_get(
            viewer=request_user(info), slug=slug, revision_id=id
        )
        return revision  # type: ignore[return-value]

    @strawberry.field(description="What changed between two revisions of one guide.")
    def guide_revision_diff(
        self,
        info: Info[Any, Any],
        slug: str,
        from_: Annotated[int, strawberry.argument(name="from")],
        to: int,
    ) -> RevisionDiffType:
        diff = selectors.guide_revision_diff(
            viewer=request_user(info), slug=slug, from_id=from_, to_id=to
        )
        return diff  # type: ignore[return-value]


# --- Mutations ------------------------------------------------------------------------


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Add a technology (mentors and staff).")
    def create_technology(
        self, info: Info[Any, Any], input: CreateTechnologyInput
    ) -> TechnologyType:
        user = signed_in(info)
        technology = services.technology_create(actor=user, data=sent_fields(input))
        # Read back through the selector, which counts its guides.
        return selectors.technology_get(viewer=user, slug=technology.slug)  # type: ignore[return-value]

    @strawberry.mutation(description="Edit a technology (mentors and staff).")
    def update_technology(
        self, info: Info[Any, Any], slug: str, input: UpdateTechnologyInput
    ) -> TechnologyType:
        user = signed_in(info)
        technology = services.technology_update(actor=user, slug=slug, data=sent_fields(input))
        return selectors.technology_get(viewer=user, slug=technology.slug)  # type: ignore[return-value]

    @strawberry.mutation(description="Add a concept (mentors and staff).")
    def create_concept(self, info: Info[Any, Any], input: CreateConceptInput) -> ConceptType:
        user = signed_in(info)
        concept = services.concept_create(actor=user, data=sent_fields(input))
        return selectors.concept_get(viewer=user, slug=concept.slug)  # type: ignore[return-value]

    @strawberry.mutation(description="Edit a concept (mentors and staff).")
    def update_concept(
        self, info: Info[Any, Any], slug: str, input: UpdateConceptInput
    ) -> ConceptType:
        user = signed_in(info)
        concept = services.concept_update(actor=user, slug=slug, data=sent_fields(input))
        return selectors.concept_get(viewer=user, slug=concept.slug)  # type: ignore[return-value]

    @strawberry.mutation(description="Write a guide: a draft unless `status` is published.")
    def create_guide(self, info: Info[Any, Any], input: CreateGuideInput) -> GuideType:
        guide = services.guide_create(actor=signed_in(info), data=sent_fields(input))
        return guide  # type: ignore[return-value]

    @strawberry.mutation(
        description="Edit a guide. A new title or body needs `baseRevision`; a stale one "
        "gets a `conflict` error carrying `current_revision` in its extensions."
    )
    def update_guide(self, info: Info[Any, Any], slug: str, input: UpdateGuideInput) -> GuideType:
        guide = services.guide_update(actor=signed_in(info), slug=slug, data=sent_fields(input))
        return guide  # type: ignore[return-value]

    @strawberry.mutation(description="Delete a guide (its author or staff); staff can undo it.")
    def delete_guide(self, info: Info[Any, Any], slug: str) -> bool:
        services.guide_delete(actor=signed_in(info), slug=slug)
        return True

    @strawberry.mutation(description="Bring back a deleted guide (staff).")
    def undelete_guide(self, info: Info[Any, Any], slug: str) -> GuideType:
        return services.guide_undelete(actor=signed_in(info), slug=slug)  # type: ignore[return-value]

    @strawberry.mutation(description="Write an old revision's title and body as a new revision.")
    def restore_guide_revision(
        self,
        info: Info[Any, Any],
        slug: str,
        revision_id: int,
        message: str | None = None,
    ) -> GuideType:
        guide = services.guide_revision_restore(
            actor=signed_in(info), slug=slug, revision_id=revision_id, message=message
        )
        return guide  # type: ignore[return-value]
