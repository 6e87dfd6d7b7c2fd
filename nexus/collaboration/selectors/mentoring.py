"""Reads of mentoring: mentors with their topics, and mentorships, which only
their mentor and mentee see."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

import django_filters
from django.db.models import Prefetch, Q, QuerySet

from nexus.collaboration.models import MentorProfile, Mentorship, MentorshipNote
from nexus.core.errors import NotAuthenticated, NotFound
from nexus.core.filters import apply_filters
from nexus.knowledge.models import Concept, Technology


class MentorFilter(django_filters.FilterSet):
    technology = django_filters.CharFilter(
        field_name="technologies__slug", help_text="Mentors on this technology (slug)."
    )
    concept = django_filters.CharFilter(
        field_name="concepts__slug", help_text="Mentors on this concept (slug)."
    )
    accepting = django_filters.ChoiceFilter(
        choices=[("true", "true"), ("false", "false")],
        method="filter_accepting",
        help_text="`true`: only mentors taking new mentees; `false`: only those who are not.",
    )

    class Meta:
        model = MentorProfile
        fields = ("technology", "concept", "accepting")

    def filter_accepting(
        self, queryset: QuerySet[MentorProfile], name: str, value: Any
    ) -> QuerySet[MentorProfile]:
        return queryset.filter(is_accepting=value == "true")


class MentorshipFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        choices=Mentorship.Status.choices, help_text="requested, active, declined or ended."
    )

    class Meta:
        model = Mentorship
        fields = ("status",)


def _viewer_id(viewer: Any) -> int:
    if not getattr(viewer, "is_authenticated", False):
        raise NotAuthenticated("Sign in to see your mentorships.")
    return int(viewer.pk)


def mentor_profile_queryset() -> QuerySet[MentorProfile]:
    return MentorProfile.objects.select_related("user__profile").prefetch_related(
        Prefetch("technologies", queryset=Technology.objects.only("id", "slug", "name")),
        Prefetch("concepts", queryset=Concept.objects.only("id", "slug", "name")),
    )


def mentor_list(*, filters: Mapping[str, Any] | None = None) -> QuerySet[MentorProfile]:
    """The mentor profiles of active mentors and staff, with their topics; filtered by technology,
    concept and `accepting`. Raises ValidationError."""
    is_mentor = (
        Q(user__profile__role__in=("mentor", "staff"))
        | Q(user__is_staff=True)
        | Q(user__is_superuser=True)
    )
    mentors = mentor_profile_queryset().filter(is_mentor, user__is_active=True)
    return apply_filters(MentorFilter, mentors, filters)


def mentor_profile_get(*, user: Any) -> MentorProfile:
    """The user's own mentor profile. Raises NotFound when they have none."""
    profile = mentor_profile_queryset().filter(user_id=user.pk).first()
    if profile is None:
        raise NotFound("You have no mentor profile yet; PUT one to start mentoring.")
    return profile


def mentorship_queryset() -> QuerySet[Mentorship]:
    return Mentorship.objects.select_related("mentor__profile", "mentee__profile")


def mentorship_list(
    *, viewer: Any, filters: Mapping[str, Any] | None = None
) -> QuerySet[Mentorship]:
    """The viewer's mentorships, as mentor or mentee, filtered by status.
    Raises NotAuthenticated, ValidationError."""
    viewer_id = _viewer_id(viewer)
    mine = mentorship_queryset().filter(Q(mentor_id=viewer_id) | Q(mentee_id=viewer_id))
    return apply_filters(MentorshipFilter, mine, filters)


def _notes() -> QuerySet[MentorshipNote]:
    return MentorshipNote.objects.select_related("author__profile").order_by("created_at", "id")


def mentorship_get(*, viewer: Any, mentorship_id: int, with_notes: bool = False) -> Mentorship:
    """A mentorship its mentor or mentee asks for; NotFound for anyone else. With
    `with_notes`, its notes come along as `note_list`, oldest first."""
    viewer_id = _viewer_id(viewer)
    mentorships = mentorship_queryset().filter(
        Q(mentor_id=viewer_id) | Q(mentee_id=viewer_id), pk=mentorship_id
    )
    if with_notes:
        mentorships = mentorships.prefetch_related(
            Prefetch("notes", queryset=_notes(), to_attr="note_list")
        )
    mentorship = mentorships.first()
    if mentorship is None:
        raise NotFound(f"No mentorship {mentorship_id}.")
    return mentorship


def mentorship_note_list(*, viewer: Any, mentorship_id: int) -> QuerySet[MentorshipNote]:
    """A mentorship's notes, oldest first; for its mentor and mentee only."""
    mentorship = mentorship_get(viewer=viewer, mentorship_id=mentorship_id)
    return _notes().filter(mentorship_id=mentorship.pk)


def mentorships_shown(*, viewer_id: int | None, user: Any) -> list[Mentorship]:
    """The user's mentorships, declined ones left out, that the viewer is in (all of
    them for the user themselves; none for anonymous viewers), oldest first."""
    if viewer_id is None:
        return []
    mentorships = Mentorship.objects.filter(Q(mentor=user) | Q(mentee=user)).exclude(
        status=Mentorship.Status.DECLINED
    )
    if viewer_id != user.pk:
        mentorships = mentorships.filter(Q(mentor_id=viewer_id) | Q(mentee_id=viewer_id))
    return list(
        mentorships.select_related("mentor__profile", "mentee__profile").order_by("created_at")
    )


def open_mentorships_in_cohort(cohort: Any) -> list[Mentorship]:
    """Requested and active mentorships of the cohort's learners, oldest first, with
    both people."""
    return list(
        Mentorship.objects.filter(
            mentee__profile__cohort=cohort,
            status__in=(Mentorship.Status.REQUESTED, Mentorship.Status.ACTIVE),
        )
        .select_related("mentor__profile", "mentee__profile")
        .order_by("created_at", "id")
    )


def mentor_capacities(mentor_ids: Collection[int]) -> dict[int, int]:
    """Each mentor's capacity, by user id, for those with a mentor profile."""
    return dict(
        MentorProfile.objects.filter(user_id__in=mentor_ids).values_list("user_id", "capacity")
    )
