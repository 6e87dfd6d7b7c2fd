from __future__ import annotations

import threading

import pytest
from django.db import connection
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from nexus.collaboration.models import MentorProfile, Mentorship, MentorshipNote
from nexus.collaboration.services import mentoring as services
from nexus.core.errors import Conflict
from nexus.knowledge.tests.factories import ConceptFactory
from nexus.notifications.models import Notification

pytestmark = pytest.mark.django_db

MENTORS = "/api/v1/mentors/"
PROFILE = "/api/v1/me/mentor-profile/"
MENTORSHIPS = "/api/v1/mentorships/"


@pytest.fixture
def caching(db):
    return ConceptFactory.create(name="Caching", slug="caching")


@pytest.fixture
def stranger(user_factory):
    return user_factory(username="learner-two")


@pytest.fixture
def offering(mentor, django_tech):
    def offer(user=None, **data):
        fields = {"technologies": ["django"], "capacity": 2, **data}
        return services.mentor_profile_update(actor=user or mentor, data=fields)

    return offer


@pytest.fixture
def ask(learner, mentor, offering):
    def ask_(mentee=None, to=None, goals="Learn to cache Django views."):
        if to is None and not MentorProfile.objects.filter(user=mentor).exists():
            offering()
        return services.mentorship_request(
            actor=mentee or learner, data={"mentor": (to or mentor).username, "goals": goals}
        )

    return ask_


def url(mentorship, suffix=""):
    return f"{MENTORSHIPS}{mentorship.pk}/{suffix}"


def snapshot():
    """Everything a refused action must leave as it was."""
    return (
        sorted(MentorProfile.objects.values_list("user_id", "capacity", "active_count")),
        sorted(Mentorship.objects.values_list("id", "status", "accepted_at", "ended_at")),
        MentorshipNote.objects.count(),
    )


def client_for(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(user).access_token}")
    return client


# --- The whole flow ---------------------------------------------------------------------


def test_a_learner_finds_a_mentor_asks_is_accepted_takes_notes_and_ends(
    api_client, as_user, learner, mentor, django_tech, caching, django_capture_on_commit_callbacks
):
    teacher, mentee = as_user(mentor), as_user(learner)
    offered = teacher.put(
        PROFILE,
        {
            "technologies": ["django"],
            "concepts": ["caching"],
            "capacity": 2,
            "about": "Ten years of Django.",
        },
    )
    assert offered.status_code == 200, offered.json()
    assert offered.json()["is_accepting"] is True

    found = api_client.get(f"{MENTORS}?technology=django").json()["results"]
    assert [(m["username"], m["capacity"], m["active_count"], m["has_room"]) for m in found] == [
        ("mentor-one", 2, 0, True)
    ]
    assert found[0]["concepts"] == [{"slug": "caching", "name": "Caching"}]

    with django_capture_on_commit_callbacks(execute=True):
        asked = mentee.post(MENTORSHIPS, {"mentor": "mentor-one", "goals": "Cache my views."})
    assert asked.status_code == 201, asked.json()
    assert (asked.json()["status"], asked.json()["my_role"]) == ("requested", "mentee")
    mentorship_id = asked.json()["id"]
    told = Notification.objects.get(recipient=mentor, kind="mentorship_requested")
    assert (told.target_type, told.target_id) == ("mentorship", mentorship_id)
    assert told.excerpt == "Cache my views."

    listed = teacher.get(f"{MENTORSHIPS}?status=requested").json()["results"]
    assert [(m["id"], m["my_role"]) for m in listed] == [(mentorship_id, "mentor")]

    with django_capture_on_commit_callbacks(execute=True):
        accepted = teacher.post(f"{MENTORSHIPS}{mentorship_id}/accept/")
    assert accepted.status_code == 200, accepted.json()
    assert accepted.json()["status"] == "active"
    assert accepted.json()["accepted_at"] is not None
    told = Notification.objects.get(recipient=learner, kind="mentorship_answered")
    assert "accepted" in told.title
    assert MentorProfile.objects.get(user=mentor).active_count == 1

    for client, text in ((mentee, "What is **ETag**?"), (teacher, "Read RFC 9110.")):
        note = client.post(f"{MENTORSHIPS}{mentorship_id}/notes/", {"body": text})
        assert note.status_code == 201, note.json()
    notes = mentee.get(f"{MENTORSHIPS}{mentorship_id}/notes/").json()["results"]
    assert [n["author"]["username"] for n in notes] == ["learner-one", "mentor-one"]
    assert "<strong>ETag</strong>" in notes[0]["body_html"]

    ended = mentee.post(f"{MENTORSHIPS}{mentorship_id}/end/")
    assert ended.status_code == 200
    assert (ended.json()["status"], ended.json()["ended_at"] is not None) == ("ended", True)
    assert MentorProfile.objects.get(user=mentor).active_count == 0
    assert [m["id"] for m in mentee.get(f"{MENTORSHIPS}?status=ended").json()["results"]] == [
        mentorship_id
    ]
    assert mentee.get(f"{MENTORSHIPS}?status=active").json()["results"] == []


# --- Mentor profiles --------------------------------------------------------------------


def test_only_mentors_and_staff_offer_mentoring(api_client, as_user, learner, mentor, staff):
    assert api_client.put(PROFILE, {"capacity": 2}).status_code == 401
    refused = as_user(learner).put(PROFILE, {"capacity": 2})
    assert refused.status_code == 403
    assert not MentorProfile.objects.exists()
    assert as_user(mentor).put(PROFILE, {"capacity": 2}).status_code == 200
    assert as_user(staff).patch(PROFILE, {"capacity": 1}).status_code == 200
    assert MentorProfile.objects.count() == 2


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("capacity", -1),
        ("capacity", 21),
        ("capacity", "3"),
        ("capacity", True),
        ("capacity", None),
        ("is_accepting", "yes"),
        ("technologies", ["no-such-tech"]),
        ("concepts", ["no-such-concept"]),
        ("about", "x" * 2001),
        ("hourly_rate", 50),
    ],
)
def test_a_mentor_profile_with_bad_fields_is_refused(as_user, mentor, offering, field, value):
    offering()
    before = snapshot()

    response = as_user(mentor).patch(PROFILE, {field: value}, format="json")

    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert snapshot() == before


def test_put_resets_what_it_leaves_out_and_patch_keeps_it(as_user, mentor, offering):
    offering(about="Ask me anything.", is_accepting=False)
    client = as_user(mentor)

    patched = client.patch(PROFILE, {"capacity": 5}).json()
    assert (patched["capacity"], patched["about"], patched["is_accepting"]) == (
        5,
        "Ask me anything.",
        False,
    )
    put = client.put(PROFILE, {"capacity": 4}).json()
    assert (put["capacity"], put["about"], put["is_accepting"], put["technologies"]) == (
        4,
        "",
        True,
        [],
    )
    assert client.get(PROFILE).json()["capacity"] == 4


def test_capacity_never_goes_below_the_active_mentorships(as_user, mentor, ask, stranger):
    for mentee in (None, stranger):
        services.mentorship_accept(actor=mentor, mentorship_id=ask(mentee=mentee).pk)
    before = snapshot()

    response = as_user(mentor).patch(PROFILE, {"capacity": 1})

    assert response.status_code == 400
    assert "capacity" in response.json()["errors"]
    assert snapshot() == before
    assert as_user(mentor).patch(PROFILE, {"capacity": 2}).status_code == 200


def test_my_mentor_profile_is_not_found_before_it_is_set(api_client, as_user, mentor):
    assert as_user(mentor).get(PROFILE).status_code == 404
    assert api_client.get(PROFILE).status_code == 401


def test_the_mentor_list_filters_and_hides_people_who_are_no_longer_mentors(
    api_client, user_factory, mentor, staff, offering, react_tech, caching
):
    offering()
    offering(user=staff, technologies=["react"], concepts=["caching"], is_accepting=False)
    former = user_factory(username="former-mentor", role="mentor")
    offering(user=former)
    former.profile.role = "learner"
    former.profile.save()

    def names(query=""):
        response = api_client.get(f"{MENTORS}?{query}")
        assert response.status_code == 200, response.json()
        return [row["username"] for row in response.json()["results"]]

    assert names() == ["staff-one", "mentor-one"]
    assert names("technology=react") == ["staff-one"]
    assert names("concept=caching") == ["staff-one"]
    assert names("accepting=true") == ["mentor-one"]
    assert api_client.get(f"{MENTORS}?accepting=perhaps").status_code == 400


# --- Asking -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mentor_name", "message"),
    [
        ("learner-one", "yourself"),
        ("learner-two", "not a mentor"),
        ("nobody-here", "No user"),
        ("", "blank"),
    ],
)
def test_asking_someone_who_cannot_mentor_you_is_refused(
    as_user, learner, stranger, offering, mentor_name, message
):
    offering()
    before = snapshot()

    response = as_user(learner).post(MENTORSHIPS, {"mentor": mentor_name, "goals": "Grow."})

    assert response.status_code == 400
    assert message in response.json()["errors"]["mentor"][0]
    assert snapshot() == before


def test_a_mentor_asking_themself_is_refused_even_with_a_profile(as_user, mentor, offering):
    offering()

    response = as_user(mentor).post(MENTORSHIPS, {"mentor": "mentor-one", "goals": "Grow."})

    assert response.status_code == 400
    assert not Mentorship.objects.exists()


def test_a_mentor_not_accepting_takes_no_requests(as_user, learner, offering):
    offering(is_accepting=False)

    response = as_user(learner).post(MENTORSHIPS, {"mentor": "mentor-one", "goals": "Grow."})

    assert response.status_code == 400
    assert "not taking" in response.json()["errors"]["mentor"][0]
    assert not Mentorship.objects.exists()


def test_a_mentor_role_without_a_profile_is_not_a_mentor_yet(as_user, learner, mentor):
    response = as_user(learner).post(MENTORSHIPS, {"mentor": "mentor-one", "goals": "Grow."})

    assert response.status_code == 400
    assert not Mentorship.objects.exists()


def test_goals_are_required(as_user, learner, offering):
    offering()

    for goals in ("", "   ", None, "x" * 5001):
        response = as_user(learner).post(
            MENTORSHIPS, {"mentor": "mentor-one", "goals": goals}, format="json"
        )
        assert response.status_code == 400
        assert "goals" in response.json()["errors"]
    assert not Mentorship.objects.exists()


def test_nobody_asks_the_same_mentor_twice_while_one_is_open(as_user, learner, mentor, ask):
    first = ask()
    before = snapshot()

    again = as_user(learner).post(MENTORSHIPS, {"mentor": "MENTOR-ONE", "goals": "Again."})

    assert again.status_code == 409
    assert again.json()["type"] == "conflict"
    assert snapshot() == before
    services.mentorship_decline(actor=mentor, mentorship_id=first.pk)
    assert (
        as_user(learner).post(MENTORSHIPS, {"mentor": "mentor-one", "goals": "Again."}).status_code
        == 201
    )


def test_asking_needs_signing_in(api_client, offering):
    offering()

    assert api_client.post(MENTORSHIPS, {"mentor": "mentor-one", "goals": "x"}).status_code == 401
    assert api_client.get(MENTORSHIPS).status_code == 401
    assert not Mentorship.objects.exists()


# --- Answering and ending ---------------------------------------------------------------


def test_accepting_over_capacity_is_a_conflict_that_changes_nothing(
    as_user, mentor, user_factory, ask
):
    mentees = [user_factory() for _ in range(3)]
    requests = [ask(mentee=person) for person in mentees]
    client = as_user(mentor)
    assert client.post(url(requests[0], "accept/")).status_code == 200
    assert client.post(url(requests[1], "accept/")).status_code == 200
    before = snapshot()

    refused = client.post(url(requests[2], "accept/"))

    assert refused.status_code == 409
    assert refused.json()["detail"] == (
        "You are at capacity: 2 active of 2. End a mentorship or raise your capacity "
        "before accepting another."
    )
    assert snapshot() == before
    client.post(url(requests[0], "end/"))
    assert client.post(url(requests[2], "accept/")).status_code == 200
    assert MentorProfile.objects.get(user=mentor).active_count == 2


def test_a_request_is_answered_once(as_user, mentor, ask):
    mentorship = ask()
    client = as_user(mentor)
    assert client.post(url(mentorship, "decline/")).status_code == 200
    before = snapshot()

    assert client.post(url(mentorship, "accept/")).status_code == 409
    assert client.post(url(mentorship, "decline/")).status_code == 409
    assert client.post(url(mentorship, "end/")).status_code == 409
    assert snapshot() == before
    with pytest.raises(Conflict):
        services.mentorship_accept(actor=mentor, mentorship_id=mentorship.pk)


def test_declining_tells_the_mentee(
    as_user, learner, mentor, ask, django_capture_on_commit_callbacks
):
    mentorship = ask()

    with django_capture_on_commit_callbacks(execute=True):
        response = as_user(mentor).post(url(mentorship, "decline/"))

    assert response.json()["status"] == "declined"
    assert "declined" in Notification.objects.get(recipient=learner).title
    assert MentorProfile.objects.get(user=mentor).active_count == 0


def test_the_mentee_withdraws_a_request_but_the_mentor_declines_it(as_user, learner, mentor, ask):
    mentorship = ask()
    before = snapshot()

    assert as_user(mentor).post(url(mentorship, "end/")).status_code == 403
    assert snapshot() == before
    assert as_user(learner).post(url(mentorship, "end/")).json()["status"] == "ended"
    assert MentorProfile.objects.get(user=mentor).active_count == 0


def test_the_mentor_may_end_an_active_mentorship_too(as_user, mentor, ask):
    mentorship = ask()
    services.mentorship_accept(actor=mentor, mentorship_id=mentorship.pk)

    assert as_user(mentor).post(url(mentorship, "end/")).json()["status"] == "ended"
    assert MentorProfile.objects.get(user=mentor).active_count == 0


def test_notes_are_closed_once_a_mentorship_ends(as_user, learner, mentor, ask):
    mentorship = ask()
    services.mentorship_note_create(actor=learner, mentorship_id=mentorship.pk, data={"body": "Hi"})
    services.mentorship_end(actor=learner, mentorship_id=mentorship.pk)
    before = snapshot()

    response = as_user(mentor).post(url(mentorship, "notes/"), {"body": "Too late."})

    assert response.status_code == 400
    assert snapshot() == before
    assert len(as_user(mentor).get(url(mentorship, "notes/")).json()["results"]) == 1


@pytest.mark.parametrize("body", ["", "   ", None, 5, "x" * 10_001])
def test_a_note_with_a_bad_body_is_refused(as_user, learner, ask, body):
    mentorship = ask()

    response = as_user(learner).post(url(mentorship, "notes/"), {"body": body}, format="json")

    assert response.status_code == 400
    assert "body" in response.json()["errors"]
    assert not MentorshipNote.objects.exists()


# --- Every role on every endpoint ---------------------------------------------------------


ROLES = ("anonymous", "learner", "mentee", "mentor", "staff")

MATRIX = [
    (
        "get",
        "",
        None,
        {"anonymous": 401, "learner": 404, "mentee": 200, "mentor": 200, "staff": 404},
    ),
    (
        "get",
        "notes/",
        None,
        {"anonymous": 401, "learner": 404, "mentee": 200, "mentor": 200, "staff": 404},
    ),
    (
        "post",
        "notes/",
        {"body": "A note."},
        {"anonymous": 401, "learner": 404, "mentee": 201, "mentor": 201, "staff": 404},
    ),
    (
        "post",
        "accept/",
        None,
        {"anonymous": 401, "learner": 404, "mentee": 403, "mentor": 200, "staff": 404},
    ),
    (
        "post",
        "decline/",
        None,
        {"anonymous": 401, "learner": 404, "mentee": 403, "mentor": 200, "staff": 404},
    ),
    (
        "post",
        "end/",
        None,
        {"anonymous": 401, "learner": 404, "mentee": 200, "mentor": 403, "staff": 404},
    ),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("method", "suffix", "body", "expected"),
    MATRIX,
    ids=[f"{m} {s or 'detail'}" for m, s, *_ in MATRIX],
)
def test_every_role_gets_its_answer_on_every_mentorship_endpoint_and_refusals_change_nothing(
    api_client, as_user, learner, mentor, staff, stranger, ask, role, method, suffix, body, expected
):
    mentorship = ask()
    users = {"learner": stranger, "mentee": learner, "mentor": mentor, "staff": staff}
    client = api_client if role == "anonymous" else as_user(users[role])
    before = snapshot()

    response = getattr(client, method)(url(mentorship, suffix), body, format="json")

    assert response.status_code == expected[role], response.json()
    if response.status_code >= 400:
        assert set(response.json()) >= {"type", "detail", "errors"}
        assert snapshot() == before


def test_ending_an_active_mentorship_is_open_to_either_side_only(
    api_client, as_user, learner, mentor, staff, stranger, ask
):
    mentorship = ask()
    services.mentorship_accept(actor=mentor, mentorship_id=mentorship.pk)
    before = snapshot()

    assert api_client.post(url(mentorship, "end/")).status_code == 401
    assert as_user(stranger).post(url(mentorship, "end/")).status_code == 404
    assert as_user(staff).post(url(mentorship, "end/")).status_code == 404
    assert snapshot() == before
    assert as_user(mentor).post(url(mentorship, "end/")).status_code == 200


def test_the_mentor_list_and_my_profile_by_role(
    api_client, as_user, learner, mentor, staff, offering
):
    offering()

    for client in (api_client, as_user(learner), as_user(mentor), as_user(staff)):
        assert client.get(MENTORS).status_code == 200
    assert as_user(learner).get(PROFILE).status_code == 404
    assert as_user(learner).patch(PROFILE, {"capacity": 1}).status_code == 403
    assert as_user(mentor).get(PROFILE).status_code == 200


# --- Lists ------------------------------------------------------------------------------


def test_the_mentor_list_runs_a_constant_number_of_queries(
    api_client, user_factory, offering, react_tech, caching, django_assert_num_queries
):
    def grow(n):
        for _ in range(n):
            offering(
                user=user_factory(role="mentor"),
                technologies=["django", "react"],
                concepts=["caching"],
            )

    grow(3)
    # mentors with their user and profile, technologies, concepts
    with django_assert_num_queries(3):
        three = api_client.get(f"{MENTORS}?page_size=100").json()["results"]
    grow(6)
    with django_assert_num_queries(3):
        nine = api_client.get(f"{MENTORS}?page_size=100").json()["results"]

    assert (len(three), len(nine)) == (3, 9)


def test_mentorship_and_note_lists_run_a_constant_number_of_queries(
    as_user, learner, user_factory, offering, django_assert_num_queries
):
    client = as_user(learner)
    first = None

    def grow(n):
        nonlocal first
        for _ in range(n):
            teacher = user_factory(role="mentor")
            offering(user=teacher)
            mentorship = services.mentorship_request(
                actor=learner, data={"mentor": teacher.username, "goals": "Grow."}
            )
            first = first or mentorship
            author = teacher if first.mentor_id == teacher.pk else learner
            services.mentorship_note_create(
                actor=author, mentorship_id=first.pk, data={"body": "Note."}
            )

    grow(3)
    with django_assert_num_queries(2):
        three = client.get(f"{MENTORSHIPS}?page_size=100").json()["results"]
    with django_assert_num_queries(3):
        three_notes = client.get(url(first, "notes/?page_size=100")).json()["results"]
    grow(6)
    with django_assert_num_queries(2):
        nine = client.get(f"{MENTORSHIPS}?page_size=100").json()["results"]
    with django_assert_num_queries(3):
        nine_notes = client.get(url(first, "notes/?page_size=100")).json()["results"]

    assert (len(three), len(nine)) == (3, 9)
    assert (len(three_notes), len(nine_notes)) == (3, 9)


# --- Races ------------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_five_simultaneous_accepts_on_a_mentor_with_room_for_two_leave_exactly_two(
    user_factory, mentor, offering
):
    offering(capacity=2)
    requests = [
        services.mentorship_request(
            actor=user_factory(), data={"mentor": mentor.username, "goals": "Grow."}
        )
        for _ in range(5)
    ]
    barrier = threading.Barrier(len(requests))
    statuses = []

    def accept(mentorship):
        client = client_for(mentor)
        try:
            barrier.wait()
            statuses.append(client.post(url(mentorship, "accept/")).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=accept, args=(request,)) for request in requests]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(statuses) == [200, 200, 409, 409, 409]
    assert MentorProfile.objects.get(user=mentor).active_count == 2
    assert Mentorship.objects.filter(status="active").count() == 2
    assert Mentorship.objects.filter(status="requested").count() == 3


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_request_sent_five_times_at_once_opens_one_mentorship(learner, mentor, offering):
    offering()
    barrier = threading.Barrier(5)
    statuses = []

    def send():
        client = client_for(learner)
        try:
            barrier.wait()
            response = client.post(MENTORSHIPS, {"mentor": mentor.username, "goals": "Grow."})
            statuses.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(statuses) == [201, 409, 409, 409, 409]
    assert Mentorship.objects.count() == 1
