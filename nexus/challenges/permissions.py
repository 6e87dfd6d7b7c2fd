"""Who may see and act on challenges, solutions and comments."""

from __future__ import annotations

from typing import Any, Literal

from django.db.models import Q, QuerySet

from nexus.challenges.models import Challenge, Comment, Solution
from nexus.core.errors import NotFound, PermissionDenied, ValidationError
from nexus.core.permissions import is_staff

# How long after posting a comment its author may still edit it.
COMMENT_EDIT_WINDOW_MINUTES = 15


def _user_id(user: Any) -> int | None:
    return user.pk if getattr(user, "is_authenticated", False) else None


def can_view(user: Any, content: Challenge | Solution | Comment) -> bool:
    """Hidden content is seen by staff and its author; deleted content by nobody."""
    if content.deleted_at is not None:
        return False
    if content.is_hidden:
        return is_staff(user) or content.author_id == _user_id(user)
    return True


# Who reads, as far as what they may see goes: staff see hidden content, members
# their own, anonymous readers neither.
Audience = Literal["staff", "member", "anonymous"]


def audience(user: Any) -> tuple[Audience, int | None]:
    """`user`'s audience and, for a member, their id."""
    if is_staff(user):
        return "staff", None
    user_id = _user_id(user)
    return ("anonymous", None) if user_id is None else ("member", user_id)


def visible(queryset: QuerySet[Any], user: Any) -> QuerySet[Any]:
    """The rows of a challenge, solution or comment queryset that `user` may see."""
    return visible_to(queryset, *audience(user))


def visible_to(queryset: QuerySet[Any], audience: Audience, user_id: int | None) -> QuerySet[Any]:
    """`visible` for an `audience` (and a member's `user_id`)."""
    queryset = queryset.filter(deleted_at__isnull=True)
    if audience == "staff":
        return queryset
    if audience == "anonymous":
        return queryset.filter(is_hidden=False)
    return queryset.filter(Q(is_hidden=False) | Q(author_id=user_id))


def check_can_view(user: Any, content: Challenge | Solution | Comment, label: str) -> None:
    if not can_view(user, content):
        raise NotFound(f"No {label} {content.pk}.")


def check_is_author_or_staff(user: Any, content: Challenge | Solution | Comment, verb: str) -> None:
    if not (is_staff(user) or content.author_id == _user_id(user)):
        raise PermissionDenied(f"Only the author or staff {verb}.")


def check_is_staff(user: Any) -> None:
    if not is_staff(user):
        raise PermissionDenied("Only staff moderate.")


def check_accepts_answers(challenge: Challenge) -> None:
    if not challenge.accepts_answers:
        raise ValidationError(
            f"This challenge is {challenge.status}; it takes no new solutions or comments.",
            errors={"challenge": [f"The challenge is {challenge.status}."]},
        )


def check_can_accept(user: Any, challenge: Challenge) -> None:
    """The challenge's author, or staff, accepts a solution."""
    if not (is_staff(user) or challenge.author_id == _user_id(user)):
        raise PermissionDenied("Only the challenge's author or staff accept a solution.")
    if challenge.status in (Challenge.Status.CLOSED, Challenge.Status.DUPLICATE):
        raise ValidationError(
            f"This challenge is {challenge.status}; reopen it before accepting a solution.",
            errors={"challenge": [f"The challenge is {challenge.status}."]},
        )
