"""Who may read and write the reference guide."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from nexus.core.errors import NotFound, PermissionDenied
from nexus.core.permissions import is_mentor_or_staff, is_staff
from nexus.knowledge.models import Guide


def can_manage_reference(user: Any) -> bool:
    """Mentors and staff create and edit technologies and concepts."""
    return is_mentor_or_staff(user)


def check_can_manage_reference(user: Any) -> None:
    if not can_manage_reference(user):
        raise PermissionDenied("Only mentors and staff edit technologies and concepts.")


def is_guide_editor(user: Any, guide: Guide) -> bool:
    """The guide's own editors: its author and co-editors."""
    if not getattr(user, "is_authenticated", False):
        return False
    if guide.author_id == user.pk:
        return True
    return any(editor.pk == user.pk for editor in guide.co_editors.all())


def can_view_guide(user: Any, guide: Guide) -> bool:
    """Published guides are public; drafts only for their editors and staff;
    deleted guides only for staff."""
    if guide.is_deleted:
        return is_staff(user)
    if guide.status == Guide.Status.PUBLISHED:
        return True
    return is_staff(user) or is_guide_editor(user, guide)


def can_edit_guide(user: Any, guide: Guide) -> bool:
    """Author, co-editors, mentors and staff edit any guide they can see."""
    if guide.is_deleted or not can_view_guide(user, guide):
        return False
    return is_mentor_or_staff(user) or is_guide_editor(user, guide)


def check_can_edit_guide(user: Any, guide: Guide) -> None:
    if not can_view_guide(user, guide):
        raise NotFound(f"No guide '{guide.slug}'.")
    if not can_edit_guide(user, guide):
        raise PermissionDenied("Only the author, co-editors, mentors and staff edit this guide.")


def can_delete_guide(user: Any, guide: Guide) -> bool:
    """The author or staff delete a guide."""
    if not can_edit_guide(user, guide):
        return False
    return is_staff(user) or guide.author_id == user.pk


def check_can_delete_guide(user: Any, guide: Guide) -> None:
    check_can_edit_guide(user, guide)
    if not can_delete_guide(user, guide):
        raise PermissionDenied("Only the author or staff delete a guide.")


def visible_guides(queryset: QuerySet[Guide], user: Any) -> QuerySet[Guide]:
    """The guides of `queryset` that `user` may read (never deleted ones)."""
    queryset = queryset.filter(deleted_at__isnull=True)
    if is_staff(user):
        return queryset
    published = Q(status=Guide.Status.PUBLISHED)
    if not getattr(user, "is_authenticated", False):
        return queryset.filter(published)
    own = Q(author_id=user.pk) | Q(
        pk__in=Guide.co_editors.through.objects.filter(user_id=user.pk).values("guide_id")
    )
    return queryset.filter(published | own)
