from __future__ import annotations

import factory
from factory.django import DjangoModelFactory

from nexus.knowledge.models import Concept, Tag, Technology


class TechnologyFactory(DjangoModelFactory[Technology]):
    class Meta:
        model = Technology
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Technology {n}")
    slug = factory.Sequence(lambda n: f"technology-{n}")
    category = Technology.Category.FRAMEWORK
    summary = "A technology the cohort uses."


class ConceptFactory(DjangoModelFactory[Concept]):
    class Meta:
        model = Concept
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Concept {n}")
    slug = factory.Sequence(lambda n: f"concept-{n}")


class TagFactory(DjangoModelFactory[Tag]):
    class Meta:
        model = Tag
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"tag-{n}")
    slug = factory.Sequence(lambda n: f"tag-{n}")
