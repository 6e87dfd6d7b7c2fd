"""The filters of the challenge list, shared by REST and GraphQL."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet

from nexus.challenges.models import Challenge


class ChallengeFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        choices=Challenge.Status.choices, help_text="open, solved, closed or duplicate."
    )
    technology = django_filters.CharFilter(
        field_name="technologies__slug", help_text="Linked to this technology (slug)."
    )
    concept = django_filters.CharFilter(
        field_name="concepts__slug", help_text="Linked to this concept (slug)."
    )
    tag = django_filters.CharFilter(field_name="tags__slug", help_text="Carrying this tag (slug).")
    author = django_filters.CharFilter(
        field_name="author__username", help_text="Posted by this user (username)."
    )
    cohort = django_filters.CharFilter(
        field_name="author__profile__cohort__slug", help_text="Posted in this cohort (slug)."
    )
    unanswered = django_filters.ChoiceFilter(
        choices=[("true", "true"), ("false", "false")],
        method="filter_unanswered",
        help_text="`true`: no solution yet; `false`: at least one.",
    )
    q = django_filters.CharFilter(
        field_name="title", lookup_expr="icontains", help_text="Title contains this text."
    )

    class Meta:
        model = Challenge
        fields = ("status", "technology", "concept", "tag", "author", "cohort", "unanswered", "q")

    def filter_unanswered(
        self, queryset: QuerySet[Challenge], name: str, value: Any
    ) -> QuerySet[Challenge]:
        if value == "true":
            return queryset.filter(solution_count=0)
        return queryset.filter(solution_count__gt=0)
