"""The REST API under /api/v1/: each app's urls, in one place."""

from django.urls import include, path

urlpatterns = [
    path("", include("nexus.accounts.api.rest")),
    path("", include("nexus.knowledge.api.rest")),
    path("", include("nexus.challenges.api.rest")),
    path("", include("nexus.notifications.api.rest")),
    path("", include("nexus.collaboration.api.rest")),
    path("", include("nexus.journeys.api.rest")),
    path("", include("nexus.search.api.rest")),
]
