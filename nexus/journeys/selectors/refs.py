"""What the reads of journeys share: absolute URLs and how links are loaded."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse

from nexus.knowledge.selectors import ref_prefetches

__all__ = ["nexus_url", "ref_prefetches"]


def nexus_url(name: str, **kwargs: Any) -> str:
    """The absolute URL of a Nexus resource, on the site's own address (SITE_URL)."""
    return settings.SITE_URL.rstrip("/") + reverse(name, kwargs=kwargs)
