"""REST door of learning journeys, one module per area: my goals and journal, a
learner's journal and journey (JSON and a portfolio README in markdown), and the
cohort dashboard."""

from nexus.journeys.api.rest import dashboard, goals, journal, journey

urlpatterns = [
    *goals.urlpatterns,
    *journal.urlpatterns,
    *journey.urlpatterns,
    *dashboard.urlpatterns,
]
