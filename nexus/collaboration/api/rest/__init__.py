"""The collaboration hub's REST door, one module per area."""

from nexus.collaboration.api.rest import channels, mentoring, reviews

urlpatterns = [*reviews.urlpatterns, *mentoring.urlpatterns, *channels.urlpatterns]
