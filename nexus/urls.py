from csp.constants import SELF, UNSAFE_INLINE
from csp.decorators import csp_update
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)

from nexus.core import views as core_views
from nexus.core.graphql import NexusGraphQLView
from nexus.graphql import schema

# GraphiQL loads its assets from a CDN and starts with an inline script; the
# page carries no user content, so only it gets the looser policy.
GRAPHIQL_CDN = "https://unpkg.com"
graphql_view = csp_update(
    {
        "script-src": [UNSAFE_INLINE, GRAPHIQL_CDN],
        "style-src": [UNSAFE_INLINE, GRAPHIQL_CDN],
        "font-src": [GRAPHIQL_CDN],
        "img-src": [GRAPHIQL_CDN],
    }
)(NexusGraphQLView.as_view(schema=schema))

# Swagger UI and ReDoc are served from our own static files (the sidecar),
# but style their widgets inline and ReDoc runs a worker from a blob.
docs_csp = csp_update({"style-src": [UNSAFE_INLINE], "worker-src": [SELF, "blob:"]})

admin.site.site_header = "Nexus administration"
admin.site.site_title = "Nexus admin"
admin.site.index_title = "Learning hub"

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("readyz", core_views.readyz, name="readyz"),
    path("", include("django_prometheus.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("nexus.api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "api/docs/",
        docs_csp(SpectacularSwaggerSplitView.as_view(url_name="schema")),
        name="swagger-ui",
    ),
    path("api/redoc/", docs_csp(SpectacularRedocView.as_view(url_name="schema")), name="redoc"),
    path("api/auth/", include("rest_framework.urls", namespace="rest_framework")),
    path("graphql/", graphql_view, name="graphql"),
]

handler400 = "nexus.core.errors.handler400"
handler403 = "nexus.core.errors.handler403"
handler404 = "nexus.core.errors.handler404"
handler500 = "nexus.core.errors.handler500"
