"""Reads of learning journeys: goals, journals, the journey itself and the cohort dashboard.

Every read takes the viewer, so what each person sees is decided here: a
learner sees everything of theirs; others see public journal entries (cohort
entries when they share the cohort), published guides, challenges and
solutions they may see, public channels, and mentorships only when they are
in them. Each read costs a fixed number of queries, whatever the amount of data.
"""

from nexus.journeys.selectors.dashboard import (
    CohortDashboard,
    LearnerActivity,
    activity_totals,
    cohort_dashboard,
)
from nexus.journeys.selectors.goals import (
    Link,
    evidence_link,
    evidence_queryset,
    goal_evidence_links,
    goal_get,
    goal_list,
    goal_queryset,
)
from nexus.journeys.selectors.journal import (
    journal_entry_get,
    journal_entry_list,
    journal_entry_url,
    journal_queryset,
    user_journal_entry_get,
    user_journal_list,
)
from nexus.journeys.selectors.journey import Journey, Topic, journey_get
from nexus.journeys.selectors.refs import nexus_url

__all__ = [
    "CohortDashboard",
    "Journey",
    "LearnerActivity",
    "Link",
    "Topic",
    "activity_totals",
    "cohort_dashboard",
    "evidence_link",
    "evidence_queryset",
    "goal_evidence_links",
    "goal_get",
    "goal_list",
    "goal_queryset",
    "journal_entry_get",
    "journal_entry_list",
    "journal_entry_url",
    "journal_queryset",
    "journey_get",
    "nexus_url",
    "user_journal_entry_get",
    "user_journal_list",
]
