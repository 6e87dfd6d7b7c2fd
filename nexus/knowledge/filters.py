"""The filters of the reference guide's lists, shared by REST and GraphQL."""

from __future__ import annotations

import django_filters

from nexus.knowledge.models import Concept, Guide, Technology


class TechnologyFilter(django_filters.FilterSet):
    category = django_filters.ChoiceFilter(
        choices=Technology.Category.choices, help_text="Only this category."
    )
    q = django_filters.CharFilter(
        field_name="name", lookup_expr="icontains", help_text="Name contains this text."
    )

    class Meta:
        model = Technology
        fields = ("category", "q")


class ConceptFilter(django_filters.FilterSet):
    technology = django_filters.CharFilter(
        field_name="technologies__slug", help_text="Related to this technology (slug)."
    )
    q = django_filters.CharFilter(
        field_name="name", lookup_expr="icontains", help_text="Name contains this text."
    )

    class Meta:
        model = Concept
        fields = ("technology", "q")


class GuideFilter(django_filters.FilterSet):
    technology = django_filters.CharFilter(
        field_name="technologies__slug", help_text="Linked to this technology (slug)."
    )
    concept = django_filters.CharFilter(
        field_name="concepts__slug", help_text="Linked to this concept (slug)."
    )
    tag = django_filters.CharFilter(field_name="tags__slug", help_text="Carrying this tag (slug).")
    kind = django_filters.ChoiceFilter(choices=Guide.Kind.choices, help_text="Only this kind.")
    status = django_filters.ChoiceFilter(
        choices=Guide.Status.choices, help_text="draft or published (you see your own drafts)."
    )
    author = django_filters.CharFilter(
        field_name="author__username", help_text="Written by this user (username)."
    )
    q = django_filters.CharFilter(
        field_name="title", lookup_expr="icontains", help_text="Title contains this text."
    )

    class Meta:
        model = Guide
        fields = ("technology", "concept", "tag", "kind", "status", "author", "q")
