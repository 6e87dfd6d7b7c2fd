"""bench/seed.py: realistic data in bulk, every counter and the reputation ledger consistent.

Run at a small scale, on SQLite and on PostgreSQL (COPY, a composing thread and
foreign keys checked in one pass at the end).
"""

from __future__ import annotations

from io import StringIO

import pytest
from django.db.models import Count, F, Max, Q, Sum

from bench import seed as seeding
from bench.scale import loader
from bench.scale.text import paragraph_html
from nexus.accounts.models import Profile
from nexus.challenges.models import (
    Challenge,
    ChallengeRevision,
    Comment,
    Follow,
    ReputationEvent,
    Solution,
    Vote,
)
from nexus.collaboration.models import Channel, Membership, Message
from nexus.core.markdown import render_markdown
from nexus.knowledge.models import Concept, Guide, Tag, Technology
from nexus.notifications.models import Notification, OutboxEvent

pytestmark = pytest.mark.django_db

CHALLENGES = 240


def seed(challenges: int = CHALLENGES, *options: str) -> str:
    out = StringIO()
    # Small batches, so that several transactions (and on PostgreSQL the
    # composing thread) are exercised.
    seeding.main(["--challenges", str(challenges), "--batch", "100", *options], out=out)
    return out.getvalue()


def test_seeding_loads_the_asked_for_challenges_and_the_rest_in_proportion():
    output = seed()

    assert Challenge.objects.count() == CHALLENGES
    assert loader.seeded_users().count() == 12  # N/20
    assert Guide.objects.count() == 2  # N/100
    assert Message.objects.count() == 120  # N/2
    # Drawn at random around their means: 1.5N solutions, 3N votes, N comments.
    assert 1.2 * CHALLENGES < Solution.objects.count() < 1.9 * CHALLENGES
    assert 2.4 * CHALLENGES < Vote.objects.count() < 3.6 * CHALLENGES
    assert 0.7 * CHALLENGES < Comment.objects.count() < 1.3 * CHALLENGES
    solved = Challenge.objects.filter(status=Challenge.Status.SOLVED).count()
    assert 0.28 < solved / CHALLENGES < 0.52
    assert "challenges/s" in output
    assert "1,000,000 challenges take about" in output


def totals(queryset, key: str, value: str) -> dict[int, int]:
    """Sums of `value` grouped by `key`, one query (no joins to multiply rows)."""
    return dict(queryset.values(key).annotate(total=Sum(value)).values_list(key, "total"))


def counts(queryset, key: str) -> dict[int, int]:
    return dict(queryset.values(key).annotate(n=Count("id")).values_list(key, "n"))


def test_challenge_counters_match_the_rows_they_count():
    seed()

    challenge_votes = totals(Vote.objects.filter(challenge__isnull=False), "challenge_id", "value")
    solution_votes = totals(Vote.objects.filter(solution__isnull=False), "solution_id", "value")
    solutions = counts(Solution.objects.all(), "challenge_id")
    challenge_comments = counts(Comment.objects.filter(challenge__isnull=False), "challenge_id")
    solution_comments = counts(Comment.objects.filter(solution__isnull=False), "solution_id")
    revisions = counts(ChallengeRevision.objects.all(), "challenge_id")
    for challenge in Challenge.objects.select_related("current_revision"):
        assert challenge.solution_count == solutions.get(challenge.pk, 0)
        assert challenge.comment_count == challenge_comments.get(challenge.pk, 0)
        assert challenge.score == challenge_votes.get(challenge.pk, 0)
        assert challenge.revision_count == revisions[challenge.pk] == 1
        assert challenge.current_revision is not None
        assert challenge.current_revision.challenge_id == challenge.pk
        assert challenge.current_revision.title == challenge.title
        assert challenge.last_activity_at >= challenge.created_at
    for solution in Solution.objects.select_related("challenge"):
        assert solution.score == solution_votes.get(solution.pk, 0)
        assert solution.comment_count == solution_comments.get(solution.pk, 0)
        assert solution.author_id != solution.challenge.author_id


def test_last_activity_is_the_latest_answer_comment_or_acceptance():
    seed()

    for challenge in Challenge.objects.all():
        times = [challenge.created_at]
        times += Solution.objects.filter(challenge=challenge).values_list("created_at", flat=True)
        times += Comment.objects.filter(
            Q(challenge=challenge) | Q(solution__challenge=challenge)
        ).values_list("created_at", flat=True)
        if challenge.accepted_solution is not None:
            assert challenge.accepted_solution.accepted_at is not None
            times.append(challenge.accepted_solution.accepted_at)
        assert challenge.last_activity_at == max(times)


def test_solved_challenges_and_only_they_have_one_accepted_solution():
    seed()

    for challenge in Challenge.objects.all():
        accepted = list(Solution.objects.filter(challenge=challenge, is_accepted=True))
        if challenge.status == Challenge.Status.SOLVED:
            assert [s.pk for s in accepted] == [challenge.accepted_solution_id]
            assert accepted[0].accepted_at is not None
        else:
            assert accepted == []
            assert challenge.accepted_solution_id is None


def test_reputation_of_every_profile_is_the_sum_of_its_ledger():
    seed()

    ledger = totals(ReputationEvent.objects.all(), "user_id", "points")
    profiles = Profile.objects.filter(user__in=loader.seeded_users())
    assert any(p.reputation for p in profiles)
    for profile in profiles:
        assert profile.reputation == ledger.get(profile.user_id, 0)
    # One ledger line per vote, two per acceptance.
    accepted = Challenge.objects.filter(status=Challenge.Status.SOLVED).count()
    assert ReputationEvent.objects.count() == Vote.objects.count() + 2 * accepted


def test_nobody_votes_twice_or_on_their_own_posts_and_posters_follow():
    seed()

    assert not Vote.objects.filter(challenge__author=F("user")).exists()
    assert not Vote.objects.filter(solution__author=F("user")).exists()
    for challenge in Challenge.objects.annotate(followers=Count("follows")):
        assert challenge.followers == 1 + challenge.solution_count
    assert Follow.objects.filter(challenge__author=F("user")).count() == CHALLENGES


def test_channels_count_their_messages_and_threads_their_replies():
    seed()

    for channel in Channel.objects.filter(slug__startswith="scale-"):
        messages = Message.objects.filter(channel=channel)
        assert channel.message_count == messages.count()
        if channel.message_count:
            assert channel.last_message_id == messages.aggregate(Max("id"))["id__max"]
    for thread in Message.objects.filter(parent__isnull=True).annotate(found=Count("replies")):
        assert thread.reply_count == thread.found
    for member in Membership.objects.all():
        posted = Message.objects.filter(channel=member.channel, author=member.user)
        assert member.last_read_id == posted.aggregate(Max("id"))["id__max"]


def test_technologies_concepts_and_tags_count_their_published_guides():
    seed()
    seed(challenges=CHALLENGES * 2)  # a second run adds to the counts

    published = Q(guides__status=Guide.Status.PUBLISHED, guides__deleted_at__isnull=True)
    models: tuple[type[Technology | Concept | Tag], ...] = (Technology, Concept, Tag)
    for model in models:
        rows = list(
            model.objects.annotate(found=Count("guides", filter=published)).values_list(
                "slug", "guide_count", "found"
            )
        )
        assert any(kept for _, kept, _ in rows), model.__name__
        assert [(slug, kept) for slug, kept, _ in rows] == [
            (slug, found) for slug, _, found in rows
        ]


def test_seeded_html_is_what_render_markdown_makes_of_the_body():
    seed()

    rows = [
        *Challenge.objects.values_list("body", "body_html")[:60],
        *Solution.objects.values_list("body", "body_html")[:60],
        *Comment.objects.values_list("body", "body_html")[:60],
        *Message.objects.values_list("body", "body_html")[:60],
        *Guide.objects.values_list("body", "body_html"),
    ]
    for body, html in rows:
        assert html == render_markdown(body)


@pytest.mark.parametrize(
    "text",
    ["Plain prose, with N+1 and p99.", "select_related helps", "_emphasis_ here", "A & B",
     "A &amp; B", "Trailing  ", "Stars *here*", "1. a list", "C# & F#"],
)  # fmt: skip
def test_the_fast_paragraph_renderer_agrees_with_render_markdown(text):
    assert paragraph_html(text) == render_markdown(text)


def test_seeding_records_no_events_and_sends_no_notifications():
    seed()

    assert OutboxEvent.objects.count() == 0
    assert Notification.objects.count() == 0


def test_running_again_adds_only_what_is_missing():
    seed()
    counts = (Challenge.objects.count(), Solution.objects.count(), Message.objects.count())

    output = seed()
    assert "nothing to add" in output
    assert (Challenge.objects.count(), Solution.objects.count(), Message.objects.count()) == counts

    seed(CHALLENGES + 60)
    assert Challenge.objects.count() == CHALLENGES + 60
    assert loader.seeded_users().count() == 15
    assert ChallengeRevision.objects.count() == CHALLENGES + 60
    assert loader.dangling_references() == {}


def test_no_seeded_row_points_at_nothing():
    seed()

    assert loader.dangling_references() == {}


def test_seeded_people_sign_in_and_the_api_serves_seeded_challenges(api_client):
    seed()
    email = loader.seeded_users().order_by("id").values_list("email", flat=True)[0]

    pair = api_client.post(
        "/api/v1/auth/token/", {"email": email, "password": loader.SEED_PASSWORD}
    )
    listed = api_client.get("/api/v1/challenges/")
    busy = Challenge.objects.filter(solution_count__gte=2).first()
    assert busy is not None
    detail = api_client.get(f"/api/v1/challenges/{busy.pk}/")

    assert pair.status_code == 200
    assert listed.status_code == 200
    assert len(listed.json()["results"]) == 20
    assert detail.status_code == 200
    assert len(detail.json()["solutions"]) == busy.solution_count


def test_seeding_refuses_in_production(settings):
    settings.IS_PRODUCTION = True

    with pytest.raises(SystemExit, match="production"):
        seed()
    assert Challenge.objects.count() == 0


@pytest.mark.postgres
def test_postgres_can_check_references_row_by_row_instead():
    output = seed(CHALLENGES, "--check-foreign-keys")

    assert Challenge.objects.count() == CHALLENGES
    assert "checked in one pass" not in output
    assert loader.dangling_references() == {}


def all_visible_pages(table: str) -> tuple[int, int]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT relallvisible, relpages FROM pg_class WHERE relname = %s", [table])
        visible, pages = cursor.fetchone()
    return visible, pages


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_seeded_tables_are_vacuumed_so_index_only_scans_skip_the_heap():
    seed(challenges=30)

    visible, pages = all_visible_pages(Challenge._meta.db_table)
    assert pages > 0
    assert visible == pages
