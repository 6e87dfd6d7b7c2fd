"""Reads of the reference guide: querysets joined once, visibility decided here."""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import reduce
from operator import or_
from typing import Any, TypeVar

from django.db.models import Prefetch, Q, QuerySet
from django.utils.text import slugify

from nexus.accounts.models import User
from nexus.core.errors import NotFound, ValidationError
from nexus.core.filters import apply_filters
from nexus.core.permissions import is_staff
from nexus.core.validation import Errors
from nexus.knowledge.filters import ConceptFilter, GuideFilter, TechnologyFilter
from nexus.knowledge.models import Concept, Guide, GuideRevision, Tag, Technology
from nexus.knowledge.permissions import can_view_guide, visible_guides

SlugModel = TypeVar("SlugModel", Technology, Concept)

# How many technologies or concepts one piece of content links to.
MAX_LINKS = 20
# How many guides a technology or concept page shows; the guide list has the rest.
RELATED_GUIDES_SHOWN = 10


def _user_queryset() -> QuerySet[User]:
    return User.objects.select_related("profile")


def guide_queryset(*, viewer: Any) -> QuerySet[Guide]:
    """Visible guides with everything a list or detail shows, in a fixed number of queries."""
    return (
        visible_guides(Guide.objects.all(), viewer)
        .select_related("author__profile")
        .prefetch_related(
            Prefetch("co_editors", queryset=_user_queryset()),
            Prefetch("technologies", queryset=Technology.objects.only("id", "slug", "name")),
            Prefetch("concepts", queryset=Concept.objects.only("id", "slug", "name")),
            Prefetch("tags", queryset=Tag.objects.only("id", "slug", "name")),
        )
    )


def guide_list(*, viewer: Any, filters: Mapping[str, Any] | None = None) -> QuerySet[Guide]:
    """Guides the viewer may read, filtered by technology, concept, tag, kind, author,
    status and title text. Staff may ask for deleted guides with `deleted=true`."""
    deleted = str((filters or {}).get("deleted", "")).lower() in {"true", "1"}
    if deleted and is_staff(viewer):
        queryset = (
            Guide.objects.filter(deleted_at__isnull=False)
            .select_related("author__profile")
            .prefetch_related("co_editors__profile", "technologies", "concepts", "tags")
        )
    else:
        queryset = guide_queryset(viewer=viewer)
    return apply_filters(GuideFilter, queryset, filters)


def guide_get(*, viewer: Any, slug: str) -> Guide:
    """A guide the viewer may read, deleted ones for staff. Raises NotFound."""
    guide = (
        Guide.objects.filter(slug=slug)
        .select_related("author__profile", "current_revision")
        .prefetch_related(
            Prefetch("co_editors", queryset=_user_queryset()),
            "technologies",
            "concepts",
            "tags",
        )
        .first()
    )
    if guide is None or not can_view_guide(viewer, guide):
        raise NotFound(f"No guide '{slug}'.")
    return guide


def guide_revision_list(*, viewer: Any, slug: str) -> QuerySet[GuideRevision]:
    guide = guide_get(viewer=viewer, slug=slug)
    # Not `guide.revisions`: see challenges.selectors.challenge_revision_list.
    return (
        GuideRevision.objects.filter(guide_id=guide.pk)
        .select_related("editor__profile")
        .order_by("-number")
    )


def guide_revision_get(*, viewer: Any, slug: str, revision_id: int) -> GuideRevision:
    revision = guide_revision_list(viewer=viewer, slug=slug).filter(pk=revision_id).first()
    if revision is None:
        raise NotFound(f"Guide '{slug}' has no revision {revision_id}.")
    return revision


@dataclass(frozen=True)
class RevisionDiff:
    from_revision: GuideRevision
    to_revision: GuideRevision
    diff: str


def _revision_text(revision: GuideRevision) -> list[str]:
    return [f"# {revision.title}\n", "\n", *revision.body.splitlines(keepends=True)]


def guide_revision_diff(*, viewer: Any, slug: str, from_id: Any, to_id: Any) -> RevisionDiff:
    """A unified diff of title and body between two revisions of one guide.

    Raises ValidationError for missing or non-numeric ids, NotFound for
    revisions that are not this guide's.
    """
    errors = {}
    ids: dict[str, int] = {}
    for name, value in (("from", from_id), ("to", to_id)):
        if value in (None, ""):
            errors[name] = ["Required: a revision id."]
        elif not str(value).isdigit():
            errors[name] = ["A revision id (an integer)."]
        else:
            ids[name] = int(value)
    if errors:
        raise ValidationError(errors=errors)
    revisions = {
        r.pk: r
        for r in guide_revision_list(viewer=viewer, slug=slug).filter(
            pk__in=[ids["from"], ids["to"]]
        )
    }
    for name in ("from", "to"):
        if ids[name] not in revisions:
            raise NotFound(f"Guide '{slug}' has no revision {ids[name]}.")
    old, new = revisions[ids["from"]], revisions[ids["to"]]
    lines = difflib.unified_diff(
        _revision_text(old),
        _revision_text(new),
        fromfile=f"{slug}@r{old.number}",
        tofile=f"{slug}@r{new.number}",
    )
    text = "".join(line if line.endswith("\n") else line + "\n" for line in lines)
    return RevisionDiff(from_revision=old, to_revision=new, diff=text)


def _recent_guides(viewer: Any, **lookup: Any) -> list[Guide]:
    guides = visible_guides(Guide.objects.filter(**lookup), viewer)
    return list(
        guides.select_related("author__profile").order_by("-created_at")[:RELATED_GUIDES_SHOWN]
    )


def technology_list(*, filters: Mapping[str, Any] | None = None) -> QuerySet[Technology]:
    """Technologies, each with its count of published guides (a column)."""
    return apply_filters(TechnologyFilter, Technology.objects.all(), filters)


def technology_get(*, viewer: Any, slug: str) -> Technology:
    """A technology with its concepts and the latest guides the viewer may read
    (as `recent_guides`). Raises NotFound."""
    technology = technology_list().filter(slug=slug).prefetch_related("concepts").first()
    if technology is None:
        raise NotFound(f"No technology '{slug}'.")
    technology.recent_guides = _recent_guides(viewer, technologies=technology)  # type: ignore[attr-defined]
    return technology


def concept_list(*, filters: Mapping[str, Any] | None = None) -> QuerySet[Concept]:
    queryset = Concept.objects.prefetch_related(
        Prefetch("technologies", queryset=Technology.objects.only("id", "slug", "name"))
    )
    return apply_filters(ConceptFilter, queryset, filters)


def concept_get(*, viewer: Any, slug: str) -> Concept:
    concept = concept_list().filter(slug=slug).first()
    if concept is None:
        raise NotFound(f"No concept '{slug}'.")
    concept.recent_guides = _recent_guides(viewer, concepts=concept)  # type: ignore[attr-defined]
    return concept


def tag_list() -> QuerySet[Tag]:
    return Tag.objects.all()


def slug_list(errors: Errors, field: str, value: Any, *, limit: int) -> list[str]:
    """`value` as distinct slugs, in order; a message under `field` when it is not
    a list of strings or holds more than `limit`."""
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        errors[field] = ["A list of slugs."]
        return []
    slugs = list(dict.fromkeys(item.strip() for item in value if item.strip()))
    if len(slugs) > limit:
        errors[field] = [f"At most {limit}."]
    return slugs


def by_slug(
    errors: Errors, field: str, model: type[SlugModel], slugs: Sequence[str]
) -> list[SlugModel]:
    """The rows of `model` with these slugs, in their order; the unknown ones named
    in a message under `field`."""
    found = {obj.slug: obj for obj in model._default_manager.filter(slug__in=slugs)}
    unknown = [slug for slug in slugs if slug not in found]
    if unknown:
        errors[field] = [f"Unknown {field}: {', '.join(unknown)}."]
    return [found[slug] for slug in slugs if slug in found]


def technologies_by_slug(errors: Errors, value: Any) -> list[Technology]:
    """The technologies `value` names by slug, for content of another app that
    links to them; messages under "technologies" when some do not exist."""
    return by_slug(
        errors,
        "technologies",
        Technology,
        slug_list(errors, "technologies", value, limit=MAX_LINKS),
    )


def ref_prefetches() -> dict[str, Prefetch[Any]]:
    """The technologies and concepts of linked content, with what a reference shows."""
    return {
        "technologies": Prefetch(
            "technologies", queryset=Technology.objects.only("id", "slug", "name", "category")
        ),
        "concepts": Prefetch("concepts", queryset=Concept.objects.only("id", "slug", "name")),
    }


def technologies_matching(skills: list[str]) -> dict[str, Technology]:
    """Each listed skill's technology, matched by name or slug, regardless of case."""
    names = [skill for skill in skills if isinstance(skill, str) and skill.strip()]
    if not names:
        return {}
    query = reduce(or_, (Q(name__iexact=name.strip()) | Q(slug=slugify(name)) for name in names))
    technologies = list(Technology.objects.filter(query).only("id", "slug", "name", "category"))
    matched: dict[str, Technology] = {}
    for name in names:
        for technology in technologies:
            if technology.name.casefold() == name.strip().casefold() or technology.slug == slugify(
                name
            ):
                matched[name] = technology
                break
    return matched


def guides_written_by(*, viewer: Any, author: User) -> list[Guide]:
    """The author's guides the viewer may see, oldest first, with their links."""
    refs = ref_prefetches()
    guides = visible_guides(Guide.objects.filter(author=author), viewer)
    return list(
        guides.prefetch_related(refs["technologies"], refs["concepts"]).order_by("created_at", "id")
    )


def guides_written_in_cohort(cohort: Any) -> QuerySet[Guide]:
    """Guides (not deleted) whose authors are in the cohort."""
    return Guide.objects.filter(author__profile__cohort=cohort, deleted_at__isnull=True)
