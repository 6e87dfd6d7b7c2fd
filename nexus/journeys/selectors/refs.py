"""What the reads of journeys share: absolute URLs and how links are loaded."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import Prefetch
from django.urls import reverse

from nexus.knowledge.models import Concept, Technology


def nexus_url(name: str, **kwargs: Any) -> str:
    """The absolute URL of a Nexus resource, on the site's own address (SITE_URL)."""
    return settings.SITE_URL.rstrip("/") + reverse(name, kwargs=kwargs)


def ref_prefetches() -> dict[str, Prefetch[Any]]:
    return {
        "technologies": Prefetch(
            "technologies", queryset=Technology.objects.only("id", "slug", "name", "category")
        ),
        "concepts": Prefetch("concepts", queryset=Concept.objects.only("id", "slug", "name")),
    }
