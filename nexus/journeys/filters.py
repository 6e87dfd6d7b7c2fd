"""The filters of goal and journal lists, shared by REST and GraphQL."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet

from nexus.journeys.models import Goal, JournalEntry


class GoalFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        choices=Goal.Status.choices, help_text="planned, active, done or dropped."
    )
    kind = django_filters.ChoiceFilter(
        choices=Goal.Kind.choices, help_text="learn, build, contribute, deepen or mentor."
    )
    open = django_filters.ChoiceFilter(
        choices=[("true", "true"), ("false", "false")],
        method="filter_open",
        help_text="`true`: planned or active; `false`: done or dropped.",
    )
    technology = django_filters.CharFilter(
        field_name="technologies__slug", help_text="Linked to this technology (slug)."
    )
    concept = django_filters.CharFilter(
        field_name="concepts__slug", help_text="Linked to this concept (slug)."
    )

    class Meta:
        model = Goal
        fields = ("status", "kind", "open", "technology", "concept")

    def filter_open(self, queryset: QuerySet[Goal], name: str, value: Any) -> QuerySet[Goal]:
        if value == "true":
            return queryset.filter(status__in=Goal.OPEN_STATUSES)
        return queryset.exclude(status__in=Goal.OPEN_STATUSES)


class JournalFilter(django_filters.FilterSet):
    visibility = django_filters.ChoiceFilter(
        choices=JournalEntry.Visibility.choices, help_text="private, cohort or public."
    )
    technology = django_filters.CharFilter(
        field_name="technologies__slug", help_text="Linked to this technology (slug)."
    )
    challenge = django_filters.NumberFilter(
        field_name="challenges__id", help_text="Linked to this challenge (id)."
    )
    since = django_filters.DateFilter(
        field_name="date", lookup_expr="gte", help_text="Dated on or after (YYYY-MM-DD)."
    )
    until = django_filters.DateFilter(
        field_name="date", lookup_expr="lte", help_text="Dated on or before (YYYY-MM-DD)."
    )

    class Meta:
        model = JournalEntry
        fields = ("visibility", "technology", "challenge", "since", "until")
