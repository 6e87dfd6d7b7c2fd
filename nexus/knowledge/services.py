"""Writes of the reference guide: one function per use case."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, Model, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.text import slugify

from nexus.accounts.models import User
from nexus.core.cache import bump_on_commit, invalidates
from nexus.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from nexus.core.markdown import render_markdown
from nexus.core.permissions import is_staff
from nexus.core.validation import Errors, clean_choice, clean_text, raise_if
from nexus.knowledge import permissions
from nexus.knowledge.models import Concept, Guide, GuideRevision, Tag, Technology
from nexus.knowledge.selectors import MAX_LINKS, by_slug, slug_list
from nexus.search import services as search_services
from nexus.search.indexing import index_on_commit
from nexus.search.tasks import index_linked_task, index_objects_task

TITLE_MAX = 200
BODY_MAX = 100_000
MESSAGE_MAX = 200
SUMMARY_MAX = 2000
MAX_TAGS = 10
MAX_CO_EDITORS = 10


# --- Input cleaning shared by the use cases -----------------------------------


def _tags(errors: Errors, value: Any) -> list[Tag]:
    """Tags are free labels: unknown ones are created."""
    names = slug_list(errors, "tags", value, limit=MAX_TAGS)
    if "tags" in errors:
        return []
    tags: list[Tag] = []
    for name in names:
        slug = slugify(name)[:50]
        if not slug or len(name) > 50:
            errors["tags"] = [f"Not a usable tag: '{name[:60]}' (1-50 letters, digits or '-')."]
            return []
        tag, _ = Tag.objects.get_or_create(slug=slug, defaults={"name": name})
        tags.append(tag)
    return tags


def _unique_slug(model: type[Model], title: str, max_length: int) -> str:
    base = slugify(title)[: max_length - 8].strip("-") or "untitled"
    slug, n = base, 2
    while model._default_manager.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


# --- Technologies, concepts, tags ---------------------------------------------


def _reference_fields(
    data: Mapping[str, Any], *, partial: bool, with_category: bool
) -> tuple[dict[str, Any], Errors]:
    errors: Errors = {}
    clean: dict[str, Any] = {}
    allowed = {"name", "slug", "summary", "docs_url", "category", "technologies"}
    allowed -= {"technologies"} if with_category else {"category", "docs_url"}
    for key in sorted(set(data) - allowed):
        errors[key] = ["Unknown field."]
    if "name" in data or not partial:
        name_max = 80 if with_category else 120
        clean["name"] = clean_text(errors, "name", data.get("name"), max_length=name_max)
        if "name" not in errors and "slug" not in data and not slugify(clean["name"]):
            errors["name"] = ["Needs letters or digits to make a slug from, or send a slug."]
    if "slug" in data:
        slug = data["slug"]
        if not isinstance(slug, str) or slugify(slug) != slug or not slug:
            errors["slug"] = ["Lowercase letters, digits and hyphens only."]
        else:
            clean["slug"] = slug
    if "summary" in data:
        clean["summary"] = clean_text(
            errors, "summary", data["summary"], max_length=SUMMARY_MAX, min_length=0
        )
    if with_category:
        if "category" in data or not partial:
            clean["category"] = clean_choice(
                errors, "category", data.get("category"), Technology.Category.values
            )
        if "docs_url" in data:
            url = clean_text(errors, "docs_url", data["docs_url"], max_length=500, min_length=0)
            if url and not url.startswith(("https://", "http://")):
                errors["docs_url"] = ["An http(s) URL."]
            clean["docs_url"] = url
    elif "technologies" in data:
        slugs = slug_list(errors, "technologies", data["technologies"], limit=MAX_LINKS)
        clean["technologies"] = by_slug(errors, "technologies", Technology, slugs)
    return clean, errors


def _save_unique(obj: Model, field_errors: Errors) -> None:
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError as exc:
        raise ValidationError(errors=field_errors) from exc


@invalidates("reference", "guides")
@transaction.atomic
def technology_create(*, actor: User, data: Mapping[str, Any]) -> Technology:
    """Add a technology. Mentors and staff only. Raises PermissionDenied, ValidationError."""
    permissions.check_can_manage_reference(actor)
    clean, errors = _reference_fields(data, partial=False, with_category=True)
    raise_if(errors)
    clean.setdefault("slug", slugify(clean["name"])[:80])
    technology = Technology(created_by=actor, **clean)
    _save_unique(technology, {"name": ["A technology with this name or slug exists."]})
    return technology


# Challenges and guides show their technologies', concepts' and tags' names.
REFERENCE_NAMESPACES = ("reference", "guides", "challenges")


def reference_changed(link: str, link_id: int, *, renamed: bool) -> None:
    """After an edit of technology, concept or tag (`link`) `link_id`, in the
    caller's transaction: the cached pages that show it move on once it commits,
    and if its name changed, the search documents that carry the name are
    rewritten in the background. Also for the admin's edits."""
    bump_on_commit(*REFERENCE_NAMESPACES)
    if renamed:

        def rewrite_documents() -> None:
            index_linked_task.delay(link, link_id)

        # Robust: with the broker down the edit stands; `manage.py reindex` catches up.
        transaction.on_commit(rewrite_documents, robust=True)


# Ids per background task when deleted links' documents are rewritten.
REWRITE_CHUNK = 5000


@transaction.atomic
def references_delete(link: str, references: QuerySet[Any]) -> None:
    """Delete technologies, concepts or tags (`link`), as the admin does. Once
    that commits, the cached pages that showed them move on, and the search
    documents that carried their names are rewritten without them in the
    background (the links themselves go with the rows)."""
    carrying = search_services.linked_objects(link, list(references.values_list("pk", flat=True)))
    references.delete()
    bump_on_commit(*REFERENCE_NAMESPACES)

    def rewrite_documents() -> None:
        for kind, ids in carrying.items():
            for start in range(0, len(ids), REWRITE_CHUNK):
                index_objects_task.delay(kind, ids[start : start + REWRITE_CHUNK])

    # Robust: with the broker down the delete stands; `manage.py reindex` catches up.
    transaction.on_commit(rewrite_documents, robust=True)


@transaction.atomic
def technology_update(*, actor: User, slug: str, data: Mapping[str, Any]) -> Technology:
    """Edit a technology's fields. Mentors and staff only."""
    permissions.check_can_manage_reference(actor)
    technology = Technology.objects.select_for_update().filter(slug=slug).first()
    if technology is None:
        raise NotFound(f"No technology '{slug}'.")
    clean, errors = _reference_fields(data, partial=True, with_category=True)
    raise_if(errors)
    renamed = clean.get("name", technology.name) != technology.name
    for field, value in clean.items():
        setattr(technology, field, value)
    _save_unique(technology, {"name": ["A technology with this name or slug exists."]})
    reference_changed("technology", technology.pk, renamed=renamed)
    return technology


@invalidates("reference", "guides")
@transaction.atomic
def concept_create(*, actor: User, data: Mapping[str, Any]) -> Concept:
    """Add a concept, linked to technologies by slug. Mentors and staff only."""
    permissions.check_can_manage_reference(actor)
    clean, errors = _reference_fields(data, partial=False, with_category=False)
    raise_if(errors)
    technologies = clean.pop("technologies", [])
    clean.setdefault("slug", slugify(clean["name"])[:120])
    concept = Concept(created_by=actor, **clean)
    _save_unique(concept, {"name": ["A concept with this name or slug exists."]})
    concept.technologies.set(technologies)
    return concept


@transaction.atomic
def concept_update(*, actor: User, slug: str, data: Mapping[str, Any]) -> Concept:
    """Edit a concept. Mentors and staff only."""
    permissions.check_can_manage_reference(actor)
    concept = Concept.objects.select_for_update().filter(slug=slug).first()
    if concept is None:
        raise NotFound(f"No concept '{slug}'.")
    clean, errors = _reference_fields(data, partial=True, with_category=False)
    raise_if(errors)
    technologies = clean.pop("technologies", None)
    renamed = clean.get("name", concept.name) != concept.name
    for field, value in clean.items():
        setattr(concept, field, value)
    _save_unique(concept, {"name": ["A concept with this name or slug exists."]})
    if technologies is not None:
        concept.technologies.set(technologies)
    reference_changed("concept", concept.pk, renamed=renamed)
    return concept


# --- Guide counts ---------------------------------------------------------------

# Link field, the model it links to, and that model's name in the link table.
# Recounts take their locks in this order, so two guide writes never deadlock.
COUNTED_LINKS: tuple[tuple[str, type[Technology | Concept | Tag], str], ...] = (
    ("technologies", Technology, "technology"),
    ("concepts", Concept, "concept"),
    ("tags", Tag, "tag"),
)
LinkIds = dict[str, set[int]]


def counted_links(guide: Guide) -> LinkIds:
    """Ids of the technologies, concepts and tags (by link field) whose
    `guide_count` includes this guide as stored: its links if it is published
    and not deleted, else none."""
    if guide.status != Guide.Status.PUBLISHED or guide.deleted_at is not None:
        return {}
    return {
        field: set(getattr(guide, field).values_list("pk", flat=True))
        for field, _, _ in COUNTED_LINKS
    }


def recount_guides(links: Mapping[str, Collection[int]]) -> None:
    """Set `guide_count` of these technologies, concepts and tags (ids by link
    field) from their published, live guides. Call in the writing transaction,
    after the guide and its links are written."""
    for field, model, name in COUNTED_LINKS:
        ids = sorted(links.get(field, ()))
        if not ids:
            continue
        # Lock, then count in a second statement: under READ COMMITTED that one
        # sees the links of a concurrent guide write that committed while we
        # waited, and a later write waits for ours. NO KEY: inserting a link
        # only takes a key-share lock, which this one does not wait for.
        locked = model.objects.select_for_update(no_key=True).filter(pk__in=ids).order_by("pk")
        list(locked.values_list("pk", flat=True))
        published = (
            getattr(Guide, field)
            .through.objects.filter(
                **{name: OuterRef("pk")},
                guide__status=Guide.Status.PUBLISHED,
                guide__deleted_at__isnull=True,
            )
            .order_by()
            .values(name)
            .annotate(guides=Count("pk"))
            .values("guides")
        )
        model.objects.filter(pk__in=ids).update(guide_count=Coalesce(Subquery(published), 0))


def recount_changed(guide: Guide, before: LinkIds) -> None:
    """Recount what a write of `guide` changed, given its `counted_links` from before."""
    after = counted_links(guide)
    recount_guides(
        {field: before.get(field, set()) ^ after.get(field, set()) for field, _, _ in COUNTED_LINKS}
    )


# --- Guides ---------------------------------------------------------------------

GUIDE_FIELDS = {
    "title",
    "body",
    "kind",
    "status",
    "technologies",
    "concepts",
    "tags",
    "co_editors",
    "message",
    "base_revision",
}


def _guide_fields(
    data: Mapping[str, Any], *, author: User | None, partial: bool
) -> tuple[dict[str, Any], dict[str, list[Any]]]:
    """Clean guide input; returns (scalar fields, related objects), or raises."""
    errors: Errors = {}
    for key in sorted(set(data) - GUIDE_FIELDS):
        errors[key] = ["Unknown field."]
    scalars: dict[str, Any] = {}
    related: dict[str, list[Any]] = {}
    if "title" in data or not partial:
        scalars["title"] = clean_text(errors, "title", data.get("title"), max_length=TITLE_MAX)
    if "body" in data or not partial:
        scalars["body"] = clean_text(
            errors, "body", data.get("body"), max_length=BODY_MAX, strip=False
        )
    if "kind" in data:
        scalars["kind"] = clean_choice(errors, "kind", data["kind"], Guide.Kind.values)
    if "status" in data:
        scalars["status"] = clean_choice(errors, "status", data["status"], Guide.Status.values)
    if "message" in data and data["message"] is not None:
        scalars["message"] = clean_text(
            errors, "message", data["message"], max_length=MESSAGE_MAX, min_length=0
        )
    related.update(_links(errors, data))
    if "co_editors" in data:
        names = slug_list(errors, "co_editors", data["co_editors"], limit=MAX_CO_EDITORS)
        users = {u.username: u for u in User.objects.filter(username__in=names, is_active=True)}
        unknown = [name for name in names if name not in users]
        if unknown:
            errors["co_editors"] = [f"Unknown users: {', '.join(unknown)}."]
        elif author is not None and author.username in users:
            errors["co_editors"] = ["The author is already an editor."]
        related["co_editors"] = list(users.values())
    raise_if(errors)
    return scalars, related


def _write_revision(
    guide: Guide,
    *,
    editor: User,
    message: str,
    restored_from: GuideRevision | None = None,
) -> GuideRevision:
    revision = GuideRevision.objects.create(
        guide=guide,
        number=guide.revision_count + 1,
        title=guide.title,
        body=guide.body,
        message=message,
        editor=editor,
        restored_from=restored_from,
    )
    guide.current_revision = revision
    guide.revision_count = revision.number
    return revision


def _set_status(guide: Guide, status: str) -> None:
    if status == Guide.Status.PUBLISHED and guide.published_at is None:
        guide.published_at = timezone.now()
    guide.status = status


@invalidates("guides", "reference")
@transaction.atomic
def guide_create(*, actor: User, data: Mapping[str, Any]) -> Guide:
    """Write a new guide (a draft unless `status` says published) and its first revision.

    Related technologies and concepts are taken by slug and must exist; tags
    are created as needed; co-editors are taken by username.
    Raises ValidationError with field errors; nothing is stored then.
    """
    if not actor.is_authenticated:
        raise PermissionDenied("Sign in to write a guide.")
    if "base_revision" in data:
        raise ValidationError(errors={"base_revision": ["Only edits send a base revision."]})
    scalars, related = _guide_fields(data, author=actor, partial=False)
    message = scalars.pop("message", "") or "First version"
    status = scalars.pop("status", Guide.Status.DRAFT)
    guide = Guide(author=actor, **scalars)
    guide.slug = _unique_slug(Guide, guide.title, 120)
    guide.body_html = render_markdown(guide.body)
    _set_status(guide, status)
    guide.save()
    for field, objects in related.items():
        getattr(guide, field).set(objects)
    recount_changed(guide, {})
    _write_revision(guide, editor=actor, message=message)
    guide.save(update_fields=["current_revision", "revision_count"])
    index_on_commit("guide", guide.pk)
    return guide


def _locked_guide(slug: str) -> Guide:
    guide = Guide.objects.select_for_update().filter(slug=slug).first()
    if guide is None:
        raise NotFound(f"No guide '{slug}'.")
    return guide


@invalidates("guides", "reference")
@transaction.atomic
def guide_update(*, actor: User, slug: str, data: Mapping[str, Any]) -> Guide:
    """Edit a guide. A change of title or body writes a new revision.

    Content edits must send `base_revision`, the id of the revision they
    started from; if another edit landed since, raises Conflict carrying the
    current revision and changes nothing. Publishing is `{"status": "published"}`.
    Locks the guide row. Raises NotFound, PermissionDenied, ValidationError, Conflict.
    """
    guide = _locked_guide(slug)
    permissions.check_can_edit_guide(actor, guide)
    scalars, related = _guide_fields(data, author=guide.author, partial=True)
    # Publishing, unpublishing or relinking changes the counts on the links.
    recounts = "status" in scalars or bool(related.keys() - {"co_editors"})
    counted_before = counted_links(guide) if recounts else {}
    message = scalars.pop("message", "")
    status = scalars.pop("status", None)
    changes_content = any(
        field in scalars and scalars[field] != getattr(guide, field) for field in ("title", "body")
    )
    base = data.get("base_revision")
    if changes_content and base is None:
        raise ValidationError(
            "Send `base_revision`, the id of the revision your edit started from.",
            errors={"base_revision": ["Required when the title or body changes."]},
        )
    if base is not None and (isinstance(base, bool) or not isinstance(base, int)):
        raise ValidationError(errors={"base_revision": ["A revision id (an integer)."]})
    if base is not None and base != guide.current_revision_id:
        raise Conflict(
            "This guide was edited since your base revision; merge your changes "
            "into the current revision and send its id.",
            extra={"current_revision": _revision_summary(guide.current_revision)},
        )
    if "kind" in scalars:
        guide.kind = scalars["kind"]
    if status is not None:
        _set_status(guide, status)
    if changes_content:
        guide.title = scalars.get("title", guide.title)
        guide.body = scalars.get("body", guide.body)
        guide.body_html = render_markdown(guide.body)
        _write_revision(guide, editor=actor, message=message)
    guide.save()
    for field, objects in related.items():
        getattr(guide, field).set(objects)
    if recounts:
        recount_changed(guide, counted_before)
    index_on_commit("guide", guide.pk)
    return guide


def _revision_summary(revision: GuideRevision | None) -> dict[str, Any] | None:
    if revision is None:
        return None
    return {
        "id": revision.pk,
        "number": revision.number,
        "title": revision.title,
        "body": revision.body,
        "message": revision.message,
        "editor": revision.editor.username,
        "created_at": revision.created_at.isoformat().replace("+00:00", "Z"),
    }


@invalidates("guides", "reference")
@transaction.atomic
def guide_revision_restore(
    *, actor: User, slug: str, revision_id: int, message: str | None = None
) -> Guide:
    """Bring back an old revision's title and body as a new revision.

    Nothing is lost: the revisions in between stay in the history.
    Raises NotFound, PermissionDenied, ValidationError.
    """
    guide = _locked_guide(slug)
    permissions.check_can_edit_guide(actor, guide)
    revision = guide.revisions.filter(pk=revision_id).first()
    if revision is None:
        raise NotFound(f"Guide '{slug}' has no revision {revision_id}.")
    errors: Errors = {}
    note = clean_text(errors, "message", message or "", max_length=MESSAGE_MAX, min_length=0)
    raise_if(errors)
    guide.title = revision.title
    guide.body = revision.body
    guide.body_html = render_markdown(guide.body)
    _write_revision(
        guide,
        editor=actor,
        message=note or f"Restored revision {revision.number}",
        restored_from=revision,
    )
    guide.save()
    index_on_commit("guide", guide.pk)
    return guide


@invalidates("guides", "reference")
@transaction.atomic
def guide_delete(*, actor: User, slug: str) -> None:
    """Soft-delete: the guide disappears for everyone but staff, who can restore it.

    The author or staff only. Raises NotFound, PermissionDenied.
    """
    guide = _locked_guide(slug)
    if guide.is_deleted:
        raise NotFound(f"No guide '{slug}'.")
    permissions.check_can_delete_guide(actor, guide)
    counted_before = counted_links(guide)
    guide.deleted_at = timezone.now()
    guide.deleted_by = actor
    guide.save(update_fields=["deleted_at", "deleted_by", "updated_at"])
    recount_changed(guide, counted_before)
    index_on_commit("guide", guide.pk)


@invalidates("guides", "reference")
@transaction.atomic
def guide_undelete(*, actor: User, slug: str) -> Guide:
    """Staff bring a deleted guide back as it was. Raises NotFound, PermissionDenied."""
    if not is_staff(actor):
        raise PermissionDenied("Only staff restore deleted guides.")
    guide = _locked_guide(slug)
    if not guide.is_deleted:
        raise ValidationError("This guide is not deleted.", errors={"slug": ["Not deleted."]})
    guide.deleted_at = None
    guide.deleted_by = None
    guide.save(update_fields=["deleted_at", "deleted_by", "updated_at"])
    recount_changed(guide, {})
    index_on_commit("guide", guide.pk)
    return guide


def guide_saving_in_admin(guide: Guide) -> LinkIds:
    """Before the admin saves an edit of a guide: a first publication is dated as
    the API dates it. Returns the guide's `counted_links` as stored, for
    `guide_changed_in_admin`."""
    _set_status(guide, guide.status)
    stored = Guide.objects.filter(pk=guide.pk).first()
    return counted_links(stored) if stored else {}


def guide_changed_in_admin(guide: Guide, counted_before: LinkIds) -> None:
    """After the admin saved a guide's status or links, in its transaction: the
    counts, the search document and the cached pages follow, as for the API's edits."""
    recount_changed(guide, counted_before)
    index_on_commit("guide", guide.pk)
    bump_on_commit("guides", "reference")


def _links(errors: Errors, data: Mapping[str, Any]) -> dict[str, list[Any]]:
    related: dict[str, list[Any]] = {}
    if "technologies" in data:
        slugs = slug_list(errors, "technologies", data["technologies"], limit=MAX_LINKS)
        related["technologies"] = by_slug(errors, "technologies", Technology, slugs)
    if "concepts" in data:
        slugs = slug_list(errors, "concepts", data["concepts"], limit=MAX_LINKS)
        related["concepts"] = by_slug(errors, "concepts", Concept, slugs)
    if "tags" in data:
        related["tags"] = _tags(errors, data["tags"])
    return related


def resolve_links(data: Mapping[str, Any]) -> dict[str, list[Any]]:
    """Technologies and concepts by slug (they must exist) and tags by name
    (created as needed), for any content that links to the reference guide.

    Takes the keys present among `technologies`, `concepts` and `tags`; call it
    inside the caller's transaction, as new tags are written. Raises ValidationError.
    """
    errors: Errors = {}
    related = _links(errors, data)
    raise_if(errors)
    return related
