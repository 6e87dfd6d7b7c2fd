"""Demo people of the embedded default: a backend and a frontend learner, a mentor
and a staff member."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import transaction

from nexus.accounts.models import Cohort, Profile, User
from nexus.accounts.services import sync_programme_staff_group
from nexus.search.indexing import index_on_commit

DEMO_PASSWORD = "nexus-demo-2026"
DEMO_COHORT_SLUG = "prodev-backend-2026"


@dataclass(frozen=True)
class DemoPerson:
    # What `load_demo_accounts` returns the person under: the role, except for
    # the second learner ("learner" stays the backend learner other demos use).
    key: str
    email: str
    username: str
    display_name: str
    role: str
    track: str
    bio: str
    skills: tuple[str, ...]


DEMO_PEOPLE = (
    DemoPerson(
        key="learner",
        email="learner@demo.nexus",
        username="demo-learner",
        display_name="Amara Learner",
        role=Profile.Role.LEARNER,
        track=Profile.Track.BACKEND,
        bio="ProDev Backend learner documenting the journey from Python to system design.",
        skills=("Python", "Django", "Django REST Framework", "GraphQL", "Docker"),
    ),
    DemoPerson(
        key="frontend",
        email="frontend@demo.nexus",
        username="demo-frontend",
        display_name="Tendai Frontend",
        role=Profile.Role.LEARNER,
        track=Profile.Track.FRONTEND,
        bio="ProDev Frontend learner building the Nexus client against its REST and GraphQL APIs.",
        skills=("JavaScript", "TypeScript", "React", "Next.js", "GraphQL"),
    ),
    DemoPerson(
        key="mentor",
        email="mentor@demo.nexus",
        username="demo-mentor",
        display_name="Kofi Mentor",
        role=Profile.Role.MENTOR,
        track=Profile.Track.FULLSTACK,
        bio="Mentor for the backend track; ask me about Celery, caching and CI/CD.",
        skills=("Python", "PostgreSQL", "Redis", "Celery", "RabbitMQ", "CI/CD"),
    ),
    DemoPerson(
        key="staff",
        email="staff@demo.nexus",
        username="demo-staff",
        display_name="Nia Staff",
        role=Profile.Role.STAFF,
        track=Profile.Track.BACKEND,
        bio="Programme staff: announcements, cohorts and moderation.",
        skills=("Django", "System design"),
    ),
)


@transaction.atomic
def load_demo_accounts() -> dict[str, User]:
    """Create the demo cohort and people if missing; returns them by key: "learner"
    (the backend learner), "frontend" (the frontend learner), "mentor", "staff".

    Idempotent: running it again finds them and changes nothing.
    """
    cohort, _ = Cohort.objects.get_or_create(
        slug=DEMO_COHORT_SLUG,
        defaults={
            "name": "ProDev Backend 2026",
            "description": "The ProDev Backend Engineering programme's 2026 cohort.",
            "starts_on": date(2026, 2, 2),
            "ends_on": date(2026, 11, 27),
        },
    )
    people: dict[str, User] = {}
    for person in DEMO_PEOPLE:
        user = User.objects.filter(email=person.email).first()
        if user is None:
            user = User.objects.create_user(
                email=person.email,
                username=person.username,
                password=DEMO_PASSWORD,
                is_staff=person.role == Profile.Role.STAFF,
                is_email_verified=True,
            )
            Profile.objects.filter(user=user).update(
                display_name=person.display_name,
                role=person.role,
                track=person.track,
                bio=person.bio,
                skills=list(person.skills),
                cohort=cohort,
            )
            user.refresh_from_db()
            # Profiles are written directly here, so index the person as the
            # account services do: the demo people are found by search at once.
            index_on_commit("user", user.pk)
        people[person.key] = user
    # The demo's staff manage the hub's content in the admin.
    people["staff"].groups.add(sync_programme_staff_group())
    return people


def load_demo(people: dict[str, User]) -> list[str]:
    """`manage.py load_demo`'s first loader: the people the other apps' demos
    write as, into `people`; returns the logins to print."""
    people.update(load_demo_accounts())
    return [
        f"Demo logins (password {DEMO_PASSWORD}):",
        *(f"  {person.role:<8} {person.track:<9} {person.email}" for person in DEMO_PEOPLE),
    ]
