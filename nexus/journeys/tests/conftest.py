from __future__ import annotations

from typing import Any

import pytest
from rest_framework_simplejwt.tokens import AccessToken

from nexus.accounts.tests.factories import CohortFactory
from nexus.challenges import services as challenge_services
from nexus.collaboration.services import mentoring as mentoring_services
from nexus.collaboration.services import reviews as review_services
from nexus.journeys import services
from nexus.knowledge import services as knowledge_services
from nexus.knowledge.tests.factories import ConceptFactory

PR_URL = "https://github.com/prodev/nexus/pull/7"


@pytest.fixture
def cohort(db: None) -> Any:
    return CohortFactory.create(name="ProDev 2026", slug="prodev-2026")


@pytest.fixture
def other_cohort(db: None) -> Any:
    return CohortFactory.create(name="ProDev 2025", slug="prodev-2025")


@pytest.fixture
def learner(user_factory: Any, cohort: Any) -> Any:
    """The learner whose journey is read: in the cohort, with a skill or two."""
    return user_factory(
        username="learner-one",
        email="learner.one@example.org",
        cohort=cohort,
        display_name="Ada Learner",
        bio="Backend learner.",
        skills=["Django", "Kubernetes"],
    )


@pytest.fixture
def cohort_mate(user_factory: Any, cohort: Any) -> Any:
    return user_factory(username="mate-one", cohort=cohort, track="frontend")


@pytest.fixture
def outsider(user_factory: Any, other_cohort: Any) -> Any:
    return user_factory(username="outsider-one", cohort=other_cohort)


@pytest.fixture
def caching(db: None) -> Any:
    return ConceptFactory.create(name="Caching Strategies", slug="caching-strategies")


@pytest.fixture
def make_goal(learner: Any, django_tech: Any) -> Any:
    def make(owner: Any = None, **data: Any) -> Any:
        fields = {"title": "Learn Django", "kind": "learn", "technologies": ["django"], **data}
        return services.goal_create(actor=owner or learner, data=fields)

    return make


@pytest.fixture
def make_entry(learner: Any, django_tech: Any) -> Any:
    def make(author: Any = None, **data: Any) -> Any:
        fields = {
            "title": "Caching views",
            "body": "Use `cache_page` and **invalidate** on write.",
            "visibility": "public",
            "technologies": ["django"],
            **data,
        }
        return services.journal_entry_create(actor=author or learner, data=fields)

    return make


@pytest.fixture
def make_challenge(learner: Any, celery_tech: Any) -> Any:
    def make(author: Any = None, **data: Any) -> Any:
        fields = {
            "title": "Celery tasks fail after ten minutes",
            "body": "My long task is killed. I tried raising the timeout.",
            "technologies": ["celery"],
            **data,
        }
        return challenge_services.challenge_create(actor=author or learner, data=fields)

    return make


@pytest.fixture
def solve(mentor: Any) -> Any:
    """Answer a challenge and have its author accept the answer."""

    def solve_(challenge: Any, author: Any = None, body: str = "Split the task up.") -> Any:
        solution = challenge_services.solution_create(
            actor=author or mentor, challenge_id=challenge.pk, data={"body": body}
        )
        challenge_services.solution_accept(actor=challenge.author, solution_id=solution.pk)
        return solution

    return solve_


@pytest.fixture
def make_guide(learner: Any, django_tech: Any) -> Any:
    def make(author: Any = None, **data: Any) -> Any:
        fields = {
            "title": "Caching views in Django",
            "body": "Use `cache_page`.",
            "kind": "takeaway",
            "status": "published",
            "technologies": ["django"],
            **data,
        }
        return knowledge_services.guide_create(actor=author or learner, data=fields)

    return make


@pytest.fixture
def make_review(learner: Any, django_tech: Any) -> Any:
    def make(author: Any = None, **data: Any) -> Any:
        fields = {
            "title": "Review my DRF pagination",
            "url": PR_URL,
            "technologies": ["django"],
            **data,
        }
        return review_services.review_request_create(actor=author or learner, data=fields)

    return make


@pytest.fixture
def give_feedback() -> Any:
    def give(review: Any, reviewer: Any, body: str = "Looks good; add a test.") -> Any:
        review_services.review_request_claim(actor=reviewer, request_id=review.pk)
        return review_services.review_feedback_create(
            actor=reviewer, request_id=review.pk, data={"verdict": "comment", "body": body}
        )

    return give


@pytest.fixture
def make_mentorship(mentor: Any, learner: Any) -> Any:
    def make(mentee: Any = None, with_mentor: Any = None) -> Any:
        who = with_mentor or mentor
        mentoring_services.mentor_profile_update(actor=who, data={"capacity": 10})
        mentorship = mentoring_services.mentorship_request(
            actor=mentee or learner, data={"mentor": who.username, "goals": "System design."}
        )
        return mentoring_services.mentorship_accept(actor=who, mentorship_id=mentorship.pk)

    return make


def bearer(user: Any) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {AccessToken.for_user(user)}"}
