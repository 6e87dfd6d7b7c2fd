"""Writes of the challenges app: one function per use case.

Reputation weights (documented in the API too):

| event                                  | points |
| -------------------------------------- | ------ |
| your challenge is upvoted / downvoted  | +5 / -2 |
| your solution is upvoted / downvoted   | +10 / -2 |
| your solution is accepted              | +15    |
| you accept someone else's solution     | +2     |

Points move with the votes: changing or withdrawing a vote changes or
removes its ledger line, and un-accepting removes the acceptance lines.
"""

from __future__ import annotations

import contextlib
import functools
import logging
from collections.abc import Mapping
from datetime import timedelta
from typing import Any, Literal

from django.core.cache import cache as django_cache
from django.db import IntegrityError, transaction
from django.db.models import Case, F, IntegerField, Value, When
from django.utils import timezone
from redis.exceptions import RedisError, ResponseError

from nexus.accounts import services as account_services
from nexus.accounts.models import User
from nexus.challenges import permissions
from nexus.challenges.models import (
    Bookmark,
    Challenge,
    ChallengeRevision,
    Comment,
    Follow,
    ModerationAction,
    ReputationEvent,
    Solution,
    Vote,
)
from nexus.core import cache, rows
from nexus.core.cache import invalidates
from nexus.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from nexus.core.markdown import render_markdown
from nexus.core.permissions import is_staff
from nexus.knowledge import services as knowledge_services
from nexus.knowledge.models import Guide
from nexus.notifications import events
from nexus.search import services as search_services
from nexus.search.indexing import index_on_commit

logger = logging.getLogger(__name__)

TITLE_MIN, TITLE_MAX = 10, 200
BODY_MAX = 50_000
COMMENT_MAX = 2_000
REASON_MAX = 500
MESSAGE_MAX = 200

POINTS = {
    ("challenge", 1): 5,
    ("challenge", -1): -2,
    ("solution", 1): 10,
    ("solution", -1): -2,
}
POINTS_SOLUTION_ACCEPTED = 15
POINTS_ACCEPTED_A_SOLUTION = 2
# Scores at which a post's author hears of its votes.
SCORE_MILESTONES = frozenset({1, 5, 10, 25, 50, 100, 250, 500, 1000})

VoteTarget = Literal["challenge", "solution"]
Errors = dict[str, list[str]]


# --- Input cleaning ---------------------------------------------------------------


def _text(errors: Errors, field: str, value: Any, *, max_length: int, min_length: int = 1) -> str:
    if not isinstance(value, str):
        errors[field] = ["Must be a string."]
        return ""
    text = value.strip()
    if len(text) < min_length:
        errors[field] = (
            ["This field may not be blank."] if not text else [f"At least {min_length} characters."]
        )
    elif len(value) > max_length:
        errors[field] = [f"At most {max_length} characters (got {len(value)})."]
    return text


def _raise_if(errors: Errors) -> None:
    if errors:
        raise ValidationError(errors=errors)


def _reason(value: Any, *, required: bool) -> str:
    errors: Errors = {}
    if value is None and not required:
        return ""
    reason = _text(errors, "reason", value, max_length=REASON_MAX, min_length=1 if required else 0)
    _raise_if(errors)
    return reason


def _id(value: Any, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValidationError(errors={field: ["An id (a positive integer)."]})
    return int(value)


CHALLENGE_FIELDS = {"title", "body", "technologies", "concepts", "tags", "message", "base_revision"}


def _challenge_fields(
    data: Mapping[str, Any], *, partial: bool
) -> tuple[dict[str, Any], dict[str, list[Any]]]:
    errors: Errors = {key: ["Unknown field."] for key in sorted(set(data) - CHALLENGE_FIELDS)}
    scalars: dict[str, Any] = {}
    if "title" in data or not partial:
        scalars["title"] = _text(
            errors, "title", data.get("title"), max_length=TITLE_MAX, min_length=TITLE_MIN
        )
    if "body" in data or not partial:
        scalars["body"] = _text(errors, "body", data.get("body"), max_length=BODY_MAX)
    if data.get("message") is not None:
        scalars["message"] = _text(
            errors, "message", data["message"], max_length=MESSAGE_MAX, min_length=0
        )
    # Technologies, concepts and tags are resolved by the reference guide's rules.
    related: dict[str, list[Any]] = {}
    links = {key: data[key] for key in ("technologies", "concepts", "tags") if key in data}
    if links:
        try:
            related = knowledge_services.resolve_links(links)
        except ValidationError as exc:
            errors.update(exc.errors)
    _raise_if(errors)
    return scalars, related


# --- Challenges ---------------------------------------------------------------------


def _locked_challenge(challenge_id: int) -> Challenge:
    challenge = Challenge.objects.select_for_update().filter(pk=challenge_id).first()
    if challenge is None or challenge.is_deleted:
        raise NotFound(f"No challenge {challenge_id}.")
    return challenge


def _write_revision(challenge: Challenge, *, editor: User, message: str) -> None:
    revision = ChallengeRevision.objects.create(
        challenge=challenge,
        number=challenge.revision_count + 1,
        title=challenge.title,
        body=challenge.body,
        message=message,
        editor=editor,
    )
    challenge.current_revision = revision
    challenge.revision_count = revision.number


@invalidates("challenges", "leaderboard")
@transaction.atomic
def challenge_create(*, actor: User, data: Mapping[str, Any]) -> Challenge:
    """Post a challenge; its author follows it. Raises ValidationError."""
    if "base_revision" in data:
        raise ValidationError(errors={"base_revision": ["Only edits send a base revision."]})
    scalars, related = _challenge_fields(data, partial=False)
    message = scalars.pop("message", "") or "First version"
    now = timezone.now()
    challenge = Challenge.objects.create(
        author=actor,
        title=scalars["title"],
        body=scalars["body"],
        body_html=render_markdown(scalars["body"]),
        last_activity_at=now,
    )
    for field, objects in related.items():
        getattr(challenge, field).set(objects)
    _write_revision(challenge, editor=actor, message=message)
    challenge.save(update_fields=["current_revision", "revision_count"])
    _follow(actor, challenge)
    events.record("challenge.created", challenge_id=challenge.pk, actor_id=actor.pk)
    index_on_commit("challenge", challenge.pk)
    return challenge


@invalidates("challenges", "leaderboard")
@transaction.atomic
def challenge_update(*, actor: User, challenge_id: int, data: Mapping[str, Any]) -> Challenge:
    """Edit a challenge (author or staff). A new title or body writes a revision and
    needs `base_revision`; a stale one raises Conflict with the current revision.
    Raises NotFound, PermissionDenied, ValidationError, Conflict."""
    challenge = _locked_challenge(challenge_id)
    permissions.check_can_view(actor, challenge, "challenge")
    permissions.check_is_author_or_staff(actor, challenge, "edit a challenge")
    scalars, related = _challenge_fields(data, partial=True)
    message = scalars.pop("message", "")
    changes_content = any(
        field in scalars and scalars[field] != getattr(challenge, field)
        for field in ("title", "body")
    )
    base = data.get("base_revision")
    if changes_content and base is None:
        raise ValidationError(
            "Send `base_revision`, the id of the revision your edit started from.",
            errors={"base_revision": ["Required when the title or body changes."]},
        )
    if base is not None and _id(base, "base_revision") != challenge.current_revision_id:
        current = challenge.current_revision
        raise Conflict(
            "This challenge was edited since your base revision; merge your changes "
            "into the current revision and send its id.",
            extra={
                "current_revision": current
                and {
                    "id": current.pk,
                    "number": current.number,
                    "title": current.title,
                    "body": current.body,
                }
            },
        )
    if changes_content:
        challenge.title = scalars.get("title", challenge.title)
        challenge.body = scalars.get("body", challenge.body)
        challenge.body_html = render_markdown(challenge.body)
        _write_revision(challenge, editor=actor, message=message)
    challenge.last_activity_at = timezone.now()
    challenge.save()
    for field, objects in related.items():
        getattr(challenge, field).set(objects)
    index_on_commit("challenge", challenge.pk)
    return challenge


@invalidates("challenges", "leaderboard")
@transaction.atomic
def challenge_delete(*, actor: User, challenge_id: int) -> None:
    """Soft-delete a challenge. Its author may while nobody has answered; staff always."""
    challenge = _locked_challenge(challenge_id)
    permissions.check_can_view(actor, challenge, "challenge")
    permissions.check_is_author_or_staff(actor, challenge, "delete a challenge")
    if challenge.solution_count and not is_staff(actor):
        raise PermissionDenied("A challenge with solutions stays; ask staff to close it.")
    challenge.deleted_at = timezone.now()
    challenge.save(update_fields=["deleted_at", "updated_at"])
    index_on_commit("challenge", challenge.pk)


# A Redis hash of views not yet added to the table: challenge id -> views.
VIEWS_KEY = "challenges:views"
VIEWS_FLUSH_BATCH = 500
VIEWS_FLUSH_LOCK_SECONDS = 120  # longer than the task's hard time limit


def challenge_record_view(*, challenge_id: int) -> None:
    """Count a view. With Redis, in a hash that `challenge_flush_views` adds to the
    table every minute, so reading a challenge writes no row; without Redis, or
    with it down, in SQL, without loading or locking the row."""
    redis = cache.redis_client()
    if redis is not None:
        try:
            redis.hincrby(django_cache.make_key(VIEWS_KEY), str(challenge_id), 1)
            return
        except RedisError:
            logger.warning("Views counted in SQL: Redis is unreachable")
    Challenge.objects.filter(pk=challenge_id).update(view_count=F("view_count") + 1)


def challenge_flush_views() -> int:
    """Add the views buffered in Redis to the challenges' counts, in one transaction;
    returns how many challenges were viewed. The buffer is renamed first, so views
    counted meanwhile wait for the next flush, and a flush that failed is finished
    by the next one rather than lost. One flush at a time: two at once would both
    add the renamed buffer."""
    redis = cache.redis_client()
    if redis is None:
        return 0
    pending = django_cache.make_key(VIEWS_KEY)
    lock = redis.lock(f"{pending}:lock", timeout=VIEWS_FLUSH_LOCK_SECONDS, blocking=False)
    if not lock.acquire():
        return 0
    try:
        return _flush_views(redis, pending)
    finally:
        with contextlib.suppress(RedisError):  # expired already: the next flush may run
            lock.release()


def _flush_views(redis: Any, pending: str) -> int:
    flushing = f"{pending}:flushing"
    if not redis.exists(flushing):
        try:
            redis.rename(pending, flushing)
        except ResponseError:  # nothing viewed since the last flush
            return 0
    counts = {int(pk): int(views) for pk, views in redis.hgetall(flushing).items()}
    ids = sorted(counts)
    with transaction.atomic():
        for start in range(0, len(ids), VIEWS_FLUSH_BATCH):
            batch = ids[start : start + VIEWS_FLUSH_BATCH]
            added = Case(
                *[When(pk=pk, then=Value(counts[pk])) for pk in batch],
                default=Value(0),
                output_field=IntegerField(),
            )
            Challenge.objects.filter(pk__in=batch).update(view_count=F("view_count") + added)
    redis.delete(flushing)
    return len(ids)


def _touch(challenge: Challenge, **counters: int) -> None:
    updates: dict[str, Any] = {"last_activity_at": timezone.now()}
    updates.update({name: F(name) + delta for name, delta in counters.items()})
    Challenge.objects.filter(pk=challenge.pk).update(**updates)


# --- Solutions ------------------------------------------------------------------------


def _visible_challenge(actor: User, challenge_id: int, *, lock: bool = False) -> Challenge:
    queryset = Challenge.objects.select_for_update() if lock else Challenge.objects
    challenge = queryset.filter(pk=challenge_id).first()
    if challenge is None:
        raise NotFound(f"No challenge {challenge_id}.")
    permissions.check_can_view(actor, challenge, "challenge")
    return challenge


def _visible_solution(actor: User, solution_id: int, *, lock: bool = False) -> Solution:
    queryset = Solution.objects.select_for_update() if lock else Solution.objects
    solution = queryset.select_related("challenge").filter(pk=solution_id).first()
    if solution is None:
        raise NotFound(f"No solution {solution_id}.")
    permissions.check_can_view(actor, solution, "solution")
    permissions.check_can_view(actor, solution.challenge, "solution")
    return solution


# What answering reads of the challenge: its visibility, its status and what
# the solution's search document carries.
ANSWERED_FIELDS = (
    "id",
    "author_id",
    "title",
    "status",
    "is_hidden",
    "deleted_at",
    "solution_count",
    "last_activity_at",
)


def _answered_challenge(
    actor: User, challenge_id: int
) -> tuple[Challenge, search_services.Links | None]:
    """Count one more solution on the challenge, make the actor follow it, and
    return it, locked, with `ANSWERED_FIELDS` (the rest deferred), and the links
    its solutions' search documents take from it. Raises NotFound.

    One UPDATE ... RETURNING where a SELECT ... FOR UPDATE and an UPDATE were.
    On PostgreSQL the same statement inserts the follow and reads the links
    (None elsewhere: the search index reads them). The checks come after it, and
    a refusal rolls it all back with the caller's transaction.
    """
    connection = transaction.get_connection()
    folds = connection.vendor == "postgresql"  # SQLite has no INSERT in WITH
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(
            _answered_sql(connection.vendor),
            [now, challenge_id, *([actor.pk, now] if folds else [])],
        )
        row = cursor.fetchone()
    if row is None:
        raise NotFound(f"No challenge {challenge_id}.")
    fields = row[: len(ANSWERED_FIELDS)]
    challenge = rows.instance(Challenge, connection, fields, ANSWERED_FIELDS)
    permissions.check_can_view(actor, challenge, "challenge")
    if not folds:
        _follow(actor, challenge)
        return challenge, None
    return challenge, search_services.solution_links(row[-1])


@functools.lru_cache(maxsize=2)
def _answered_sql(vendor: str) -> str:
    """The statement of `_answered_challenge` on `vendor`'s database (the current
    connection's), composed once. Names from the models; values are parameters."""
    connection = transaction.get_connection()
    quote = connection.ops.quote_name
    answered = (
        f"UPDATE {quote(Challenge._meta.db_table)} "  # noqa: S608
        f"SET {quote('solution_count')} = {quote('solution_count')} + 1, "
        f"{quote('last_activity_at')} = %s WHERE {quote('id')} = %s "
        f"RETURNING {rows.columns(Challenge, None, connection, ANSWERED_FIELDS)}"
    )
    if vendor != "postgresql":
        return answered
    follow = ", ".join(
        quote(field.column)
        for field in rows.fields_of(Follow, ("user_id", "challenge_id", "created_at"))
    )
    return (
        f"WITH answered AS ({answered}), followed AS ("  # noqa: S608
        f"INSERT INTO {quote(Follow._meta.db_table)} ({follow}) SELECT %s, id, %s "
        "FROM answered ON CONFLICT DO NOTHING) "
        f"SELECT *, {search_services.solution_links_sql('answered.id')} FROM answered"
    )


def _follow(user: User, challenge: Challenge) -> None:
    """The user follows the challenge, if not already: one INSERT ... ON CONFLICT DO
    NOTHING, where get_or_create took a read, a savepoint and a write."""
    rows.insert(
        Follow(user=user, challenge=challenge), transaction.get_connection(), skip_conflicts=True
    )


@invalidates("challenges", "leaderboard")
@transaction.atomic
def solution_create(*, actor: User, challenge_id: int, data: Mapping[str, Any]) -> Solution:
    """Answer a challenge; the answerer follows it. Returns the solution as
    `selectors.solution_get` would.

    Not on hidden, closed or duplicate challenges. Raises NotFound, ValidationError.
    """
    challenge, _links = _answered_challenge(actor, challenge_id)
    if challenge.is_hidden:
        raise ValidationError(
            "This challenge is hidden by staff.", errors={"challenge": ["Hidden."]}
        )
    permissions.check_accepts_answers(challenge)
    errors: Errors = {key: ["Unknown field."] for key in sorted(set(data) - {"body"})}
    body = _text(errors, "body", data.get("body"), max_length=BODY_MAX)
    _raise_if(errors)
    solution = Solution(
        challenge=challenge, author=actor, body=body, body_html=render_markdown(body)
    )
    rows.insert(solution, transaction.get_connection())
    events.record(
        "solution.created", solution_id=solution.pk, challenge_id=challenge.pk, actor_id=actor.pk
    )
    index_on_commit("solution", solution.pk)
    # Shaped as selectors.solution_get returns one, so both doors can answer with
    # it without reading it back: a new answer has no comments yet.
    solution.visible_comments = []  # type: ignore[attr-defined]
    return solution


@invalidates("challenges", "leaderboard")
@transaction.atomic
def solution_update(*, actor: User, solution_id: int, data: Mapping[str, Any]) -> Solution:
    """Edit a solution's body (author or staff)."""
    solution = _visible_solution(actor, solution_id, lock=True)
    permissions.check_is_author_or_staff(actor, solution, "edit a solution")
    errors: Errors = {key: ["Unknown field."] for key in sorted(set(data) - {"body"})}
    body = _text(errors, "body", data.get("body"), max_length=BODY_MAX)
    _raise_if(errors)
    solution.body = body
    solution.body_html = render_markdown(body)
    solution.save(update_fields=["body", "body_html", "updated_at"])
    _touch(solution.challenge)
    index_on_commit("solution", solution.pk)
    return solution


@invalidates("challenges", "leaderboard")
@transaction.atomic
def solution_delete(*, actor: User, solution_id: int) -> None:
    """Soft-delete a solution (author or staff); an accepted one is un-accepted first."""
    solution = _visible_solution(actor, solution_id)
    permissions.check_is_author_or_staff(actor, solution, "delete a solution")
    challenge = _locked_challenge(solution.challenge_id)
    solution = Solution.objects.select_for_update().get(pk=solution.pk)
    if solution.is_accepted:
        _unaccept(challenge, solution)
    solution.deleted_at = timezone.now()
    solution.save(update_fields=["deleted_at", "updated_at"])
    if not solution.is_hidden:
        _touch(challenge, solution_count=-1)
    index_on_commit("challenge", challenge.pk)


def _accept_events(challenge: Challenge, solution: Solution, acceptor: User) -> None:
    now = timezone.now()
    if solution.author_id != challenge.author_id:
        ReputationEvent.objects.create(
            user_id=solution.author_id,
            reason=ReputationEvent.Reason.SOLUTION_ACCEPTED,
            points=POINTS_SOLUTION_ACCEPTED,
            challenge=challenge,
            solution=solution,
            created_at=now,
        )
        account_services.reputation_adjust(
            user_id=solution.author_id, delta=POINTS_SOLUTION_ACCEPTED
        )
        ReputationEvent.objects.create(
            user_id=challenge.author_id,
            reason=ReputationEvent.Reason.ACCEPTED_A_SOLUTION,
            points=POINTS_ACCEPTED_A_SOLUTION,
            challenge=challenge,
            solution=solution,
            created_at=now,
        )
        account_services.reputation_adjust(
            user_id=challenge.author_id, delta=POINTS_ACCEPTED_A_SOLUTION
        )


def _unaccept(challenge: Challenge, solution: Solution) -> None:
    events = ReputationEvent.objects.filter(
        solution=solution,
        reason__in=[
            ReputationEvent.Reason.SOLUTION_ACCEPTED,
            ReputationEvent.Reason.ACCEPTED_A_SOLUTION,
        ],
    )
    for event in events:
        account_services.reputation_adjust(user_id=event.user_id, delta=-event.points)
    events.delete()
    Solution.objects.filter(pk=solution.pk).update(is_accepted=False, accepted_at=None)
    solution.is_accepted = False
    challenge.accepted_solution = None
    if challenge.status == Challenge.Status.SOLVED:
        challenge.status = Challenge.Status.OPEN
    challenge.save(update_fields=["accepted_solution", "status", "updated_at"])


@invalidates("challenges", "leaderboard")
@transaction.atomic
def solution_accept(*, actor: User, solution_id: int) -> Solution:
    """Mark a solution accepted and its challenge solved.

    Locks the challenge. Moves the mark if another solution held it. The
    challenge's author or staff only; not on closed or duplicate challenges,
    nor for hidden solutions. Raises NotFound, PermissionDenied, ValidationError.
    """
    solution = _visible_solution(actor, solution_id)
    challenge = _locked_challenge(solution.challenge_id)
    permissions.check_can_accept(actor, challenge)
    solution = Solution.objects.select_for_update().get(pk=solution.pk)
    if solution.is_hidden or solution.deleted_at is not None:
        raise ValidationError(
            "A hidden solution cannot be accepted.", errors={"solution": ["Hidden."]}
        )
    if solution.is_accepted:
        return solution
    if challenge.accepted_solution_id:
        previous = Solution.objects.select_for_update().get(pk=challenge.accepted_solution_id)
        _unaccept(challenge, previous)
    now = timezone.now()
    solution.is_accepted = True
    solution.accepted_at = now
    solution.save(update_fields=["is_accepted", "accepted_at", "updated_at"])
    challenge.accepted_solution = solution
    challenge.status = Challenge.Status.SOLVED
    challenge.last_activity_at = now
    challenge.save(update_fields=["accepted_solution", "status", "last_activity_at", "updated_at"])
    _accept_events(challenge, solution, actor)
    events.record(
        "solution.accepted", solution_id=solution.pk, challenge_id=challenge.pk, actor_id=actor.pk
    )
    index_on_commit("challenge", challenge.pk)
    return solution


@invalidates("challenges", "leaderboard")
@transaction.atomic
def solution_unaccept(*, actor: User, solution_id: int) -> Solution:
    """Withdraw acceptance: the challenge is open again. Same rules as accepting."""
    solution = _visible_solution(actor, solution_id)
    challenge = _locked_challenge(solution.challenge_id)
    permissions.check_can_accept(actor, challenge)
    solution = Solution.objects.select_for_update().get(pk=solution.pk)
    if not solution.is_accepted:
        raise ValidationError(
            "This solution is not accepted.", errors={"solution": ["Not accepted."]}
        )
    _unaccept(challenge, solution)
    index_on_commit("challenge", challenge.pk)
    return solution


@invalidates("challenges", "guides", "reference", "leaderboard")
@transaction.atomic
def solution_promote_to_guide(*, actor: User, solution_id: int) -> Guide:
    """Turn an accepted solution into a published takeaway guide, linked both ways.

    The solution's author or staff. The guide is the solution author's, with
    the challenge and the solution as its sections and the challenge's links.
    Raises NotFound, PermissionDenied, ValidationError.
    """
    solution = _visible_solution(actor, solution_id, lock=True)
    permissions.check_is_author_or_staff(actor, solution, "promote a solution")
    if not solution.is_accepted:
        raise ValidationError(
            "Only an accepted solution becomes a guide.", errors={"solution": ["Not accepted."]}
        )
    if solution.promoted_guide_id:
        raise ValidationError(
            "This solution is already a guide.",
            errors={"solution": ["Already promoted."]},
            extra={"guide": Guide.objects.get(pk=solution.promoted_guide_id).slug},
        )
    challenge = Challenge.objects.prefetch_related("technologies", "concepts", "tags").get(
        pk=solution.challenge_id
    )
    body = (
        f"## Challenge\n\n{challenge.body}\n\n## Solution\n\n{solution.body}\n\n"
        f"*From challenge [#{challenge.pk}](/api/v1/challenges/{challenge.pk}/), "
        f"solved by @{solution.author.username}.*\n"
    )
    guide = knowledge_services.guide_create(
        actor=solution.author,
        data={
            "title": challenge.title,
            "body": body,
            "kind": Guide.Kind.TAKEAWAY,
            "status": Guide.Status.PUBLISHED,
            "technologies": [t.slug for t in challenge.technologies.all()],
            "concepts": [c.slug for c in challenge.concepts.all()],
            "tags": [t.name for t in challenge.tags.all()],
            "message": f"Promoted from challenge {challenge.pk} by {actor.username}",
        },
    )
    solution.promoted_guide = guide
    solution.save(update_fields=["promoted_guide", "updated_at"])
    return guide


# --- Votes and reputation ---------------------------------------------------------------


@invalidates("challenges", "leaderboard")
@transaction.atomic
def vote_cast(*, actor: User, target: VoteTarget, target_id: int, value: Any) -> int:
    """Cast, change (`1`/`-1`) or withdraw (`0`) a vote; returns the new score.

    One vote per user and post; repeating a vote changes nothing. Locks the
    post, so concurrent votes each count exactly once. Reputation follows.
    Raises ValidationError (bad value, hidden post), PermissionDenied (own post), NotFound.
    """
    if isinstance(value, bool) or value not in (-1, 0, 1):
        raise ValidationError(errors={"value": ["One of -1, 0 or 1."]})
    model: type[Challenge] | type[Solution] = Challenge if target == "challenge" else Solution
    post = model.objects.select_for_update().filter(pk=target_id).first()
    if post is None:
        raise NotFound(f"No {target} {target_id}.")
    permissions.check_can_view(actor, post, target)
    challenge = post if isinstance(post, Challenge) else post.challenge
    if isinstance(post, Solution):
        permissions.check_can_view(actor, challenge, target)
    if post.author_id == actor.pk:
        raise PermissionDenied("You cannot vote on your own post.")
    if post.is_hidden:
        raise ValidationError("Hidden posts take no votes.", errors={"value": ["Hidden post."]})

    on_post: dict[str, Any] = {target: post}
    vote = Vote.objects.filter(user=actor, **on_post).first()
    old = vote.value if vote else 0
    if old == value:
        return int(post.score)
    reason = (
        ReputationEvent.Reason.CHALLENGE_VOTED
        if target == "challenge"
        else ReputationEvent.Reason.SOLUTION_VOTED
    )
    old_points = POINTS.get((target, old), 0)
    new_points = POINTS.get((target, value), 0)
    if value == 0 and vote is not None:
        vote.delete()  # its ledger line goes with it
    elif vote is None:
        vote = Vote.objects.create(user=actor, value=value, **on_post)
        ReputationEvent.objects.create(
            user_id=post.author_id,
            reason=reason,
            points=new_points,
            challenge=challenge,
            vote=vote,
            created_at=timezone.now(),
        )
    else:
        vote.value = value
        vote.save(update_fields=["value", "updated_at"])
        ReputationEvent.objects.filter(vote=vote).update(points=new_points)
    model.objects.filter(pk=post.pk).update(score=F("score") + (value - old))
    account_services.reputation_adjust(user_id=post.author_id, delta=new_points - old_points)
    new_score: int = post.score + (value - old)
    if value > old and new_score in SCORE_MILESTONES:
        events.record("vote.milestone", target=target, target_id=post.pk, score=new_score)
    return new_score


# --- Comments ---------------------------------------------------------------------------


@invalidates("challenges", "leaderboard")
@transaction.atomic
def comment_create(
    *, actor: User, target: VoteTarget, target_id: int, data: Mapping[str, Any]
) -> Comment:
    """Comment on a challenge or a solution; not on hidden posts or closed challenges."""
    if target == "challenge":
        challenge = _visible_challenge(actor, target_id, lock=True)
        post: Challenge | Solution = challenge
    else:
        post = _visible_solution(actor, target_id, lock=True)
        challenge = post.challenge
    if post.is_hidden or challenge.is_hidden:
        raise ValidationError(
            "Hidden posts take no comments.", errors={target: ["Hidden by staff."]}
        )
    permissions.check_accepts_answers(challenge)
    errors: Errors = {key: ["Unknown field."] for key in sorted(set(data) - {"body"})}
    body = _text(errors, "body", data.get("body"), max_length=COMMENT_MAX)
    _raise_if(errors)
    on_post: dict[str, Any] = {target: post}
    comment = Comment.objects.create(
        author=actor, body=body, body_html=render_markdown(body), **on_post
    )
    type(post).objects.filter(pk=post.pk).update(comment_count=F("comment_count") + 1)
    _touch(challenge)
    events.record(
        "comment.created", comment_id=comment.pk, challenge_id=challenge.pk, actor_id=actor.pk
    )
    return comment


def _visible_comment(actor: User, comment_id: int) -> Comment:
    # Lock the comment alone: PostgreSQL refuses FOR UPDATE across outer joins.
    comment = (
        Comment.objects.select_for_update(of=("self",))
        .select_related("challenge", "solution__challenge")
        .filter(pk=comment_id)
        .first()
    )
    if comment is None:
        raise NotFound(f"No comment {comment_id}.")
    permissions.check_can_view(actor, comment, "comment")
    return comment


@invalidates("challenges", "leaderboard")
@transaction.atomic
def comment_update(*, actor: User, comment_id: int, data: Mapping[str, Any]) -> Comment:
    """Edit a comment: its author, within the edit window after posting."""
    comment = _visible_comment(actor, comment_id)
    if comment.author_id != actor.pk:
        raise PermissionDenied("Only its author edits a comment.")
    window = timedelta(minutes=permissions.COMMENT_EDIT_WINDOW_MINUTES)
    if timezone.now() - comment.created_at > window:
        raise PermissionDenied(
            f"Comments can be edited for {permissions.COMMENT_EDIT_WINDOW_MINUTES} minutes."
        )
    errors: Errors = {key: ["Unknown field."] for key in sorted(set(data) - {"body"})}
    body = _text(errors, "body", data.get("body"), max_length=COMMENT_MAX)
    _raise_if(errors)
    comment.body = body
    comment.body_html = render_markdown(body)
    comment.save(update_fields=["body", "body_html", "updated_at"])
    return comment


@invalidates("challenges", "leaderboard")
@transaction.atomic
def comment_delete(*, actor: User, comment_id: int) -> None:
    """Remove a comment (soft): its author or staff."""
    comment = _visible_comment(actor, comment_id)
    permissions.check_is_author_or_staff(actor, comment, "remove a comment")
    comment.deleted_at = timezone.now()
    comment.save(update_fields=["deleted_at", "updated_at"])
    if not comment.is_hidden:
        _count_comment(comment, -1)


def _count_comment(comment: Comment, delta: int) -> None:
    if comment.challenge_id is not None:
        Challenge.objects.filter(pk=comment.challenge_id).update(
            comment_count=F("comment_count") + delta
        )
    elif comment.solution_id is not None:
        Solution.objects.filter(pk=comment.solution_id).update(
            comment_count=F("comment_count") + delta
        )


# --- Following and bookmarks ----------------------------------------------------------


def follow_set(*, actor: User, challenge_id: int, following: bool) -> bool:
    """Follow or unfollow a challenge; idempotent. Returns whether the actor follows it."""
    challenge = _visible_challenge(actor, challenge_id)
    if following:
        _follow(actor, challenge)  # a concurrent follow is the same outcome
    else:
        Follow.objects.filter(user=actor, challenge=challenge).delete()
    return following


def bookmark_set(*, actor: User, challenge_id: int, bookmarked: bool) -> bool:
    """Bookmark or un-bookmark a challenge; idempotent."""
    challenge = _visible_challenge(actor, challenge_id)
    if bookmarked:
        with contextlib.suppress(IntegrityError):
            Bookmark.objects.get_or_create(user=actor, challenge=challenge)
    else:
        Bookmark.objects.filter(user=actor, challenge=challenge).delete()
    return bookmarked


# --- Moderation ----------------------------------------------------------------------------


def _log(
    *,
    actor: User,
    action: str,
    target_type: str,
    target_id: int,
    challenge: Challenge,
    reason: str,
    details: dict[str, Any] | None = None,
) -> ModerationAction:
    return ModerationAction.objects.create(
        actor=actor,
        action=action,
        target_type=target_type,
        target_id=target_id,
        challenge=challenge,
        reason=reason,
        details=details or {},
    )


@invalidates("challenges", "leaderboard")
@transaction.atomic
def challenge_close(*, actor: User, challenge_id: int, reason: Any = None) -> Challenge:
    """Staff close a challenge: no new solutions or comments. Logged."""
    permissions.check_is_staff(actor)
    challenge = _locked_challenge(challenge_id)
    if challenge.status == Challenge.Status.CLOSED:
        raise ValidationError("Already closed.", errors={"status": ["Already closed."]})
    note = _reason(reason, required=False)
    challenge.status = Challenge.Status.CLOSED
    challenge.save(update_fields=["status", "updated_at"])
    _log(
        actor=actor,
        action=ModerationAction.Action.CLOSE,
        target_type="challenge",
        target_id=challenge.pk,
        challenge=challenge,
        reason=note,
    )
    index_on_commit("challenge", challenge.pk)
    return challenge


@invalidates("challenges", "leaderboard")
@transaction.atomic
def challenge_reopen(*, actor: User, challenge_id: int, reason: Any = None) -> Challenge:
    """Staff reopen a closed or duplicate challenge: solved again if it has an accepted
    solution, open otherwise. Logged."""
    permissions.check_is_staff(actor)
    challenge = _locked_challenge(challenge_id)
    if challenge.accepts_answers:
        raise ValidationError("Not closed.", errors={"status": [f"It is {challenge.status}."]})
    note = _reason(reason, required=False)
    challenge.status = (
        Challenge.Status.SOLVED if challenge.accepted_solution_id else Challenge.Status.OPEN
    )
    challenge.duplicate_of = None
    challenge.save(update_fields=["status", "duplicate_of", "updated_at"])
    _log(
        actor=actor,
        action=ModerationAction.Action.REOPEN,
        target_type="challenge",
        target_id=challenge.pk,
        challenge=challenge,
        reason=note,
    )
    index_on_commit("challenge", challenge.pk)
    return challenge


@invalidates("challenges", "leaderboard")
@transaction.atomic
def challenge_mark_duplicate(
    *, actor: User, challenge_id: int, original_id: Any, reason: Any = None
) -> Challenge:
    """Staff mark a challenge as a duplicate of an earlier one. Logged."""
    permissions.check_is_staff(actor)
    original_pk = _id(original_id, "original")
    challenge = _locked_challenge(challenge_id)
    if original_pk == challenge.pk:
        raise ValidationError(errors={"original": ["A challenge cannot duplicate itself."]})
    original = Challenge.objects.filter(pk=original_pk, deleted_at__isnull=True).first()
    if original is None:
        raise ValidationError(errors={"original": [f"No challenge {original_pk}."]})
    if original.duplicate_of_id == challenge.pk:
        raise ValidationError(errors={"original": ["That challenge duplicates this one."]})
    note = _reason(reason, required=False)
    challenge.status = Challenge.Status.DUPLICATE
    challenge.duplicate_of = original
    challenge.save(update_fields=["status", "duplicate_of", "updated_at"])
    _log(
        actor=actor,
        action=ModerationAction.Action.MARK_DUPLICATE,
        target_type="challenge",
        target_id=challenge.pk,
        challenge=challenge,
        reason=note,
        details={"original": original.pk},
    )
    index_on_commit("challenge", challenge.pk)
    return challenge


ModeratedTarget = Literal["challenge", "solution", "comment"]


@invalidates("challenges", "leaderboard")
@transaction.atomic
def content_hide(
    *, actor: User, target: ModeratedTarget, target_id: int, reason: Any, hidden: bool = True
) -> Challenge | Solution | Comment:
    """Staff hide (or unhide) a post with a reason. Hidden content disappears for
    everyone but staff and its author, who sees the reason. A hidden accepted
    solution is un-accepted. Logged. Raises PermissionDenied, NotFound, ValidationError."""
    permissions.check_is_staff(actor)
    note = _reason(reason, required=hidden)
    models: dict[str, Any] = {"challenge": Challenge, "solution": Solution, "comment": Comment}
    content: Any = models[target].objects.select_for_update().filter(pk=target_id).first()
    if content is None or content.deleted_at is not None:
        raise NotFound(f"No {target} {target_id}.")
    if content.is_hidden == hidden:
        state = "hidden" if hidden else "visible"
        raise ValidationError(f"Already {state}.", errors={target: [f"Already {state}."]})
    challenge = (
        content
        if isinstance(content, Challenge)
        else content.challenge
        if isinstance(content, Solution)
        else (content.challenge or content.solution.challenge)
    )
    content.is_hidden = hidden
    content.hidden_reason = note if hidden else ""
    content.hidden_at = timezone.now() if hidden else None
    content.hidden_by = actor if hidden else None
    content.save(
        update_fields=["is_hidden", "hidden_reason", "hidden_at", "hidden_by", "updated_at"]
    )
    delta = -1 if hidden else 1
    if isinstance(content, Solution):
        if hidden and content.is_accepted:
            _unaccept(Challenge.objects.select_for_update().get(pk=challenge.pk), content)
        Challenge.objects.filter(pk=challenge.pk).update(solution_count=F("solution_count") + delta)
    elif isinstance(content, Comment):
        _count_comment(content, delta)
    _log(
        actor=actor,
        action=ModerationAction.Action.HIDE if hidden else ModerationAction.Action.UNHIDE,
        target_type=target,
        target_id=content.pk,
        challenge=challenge,
        reason=note,
    )
    index_on_commit("challenge", challenge.pk)
    return content  # type: ignore[no-any-return]


def challenges_flag_unanswered(*, hours: int, limit: int = 200) -> int:
    """Record `challenge.unanswered` for open challenges nobody answered within
    `hours`, once each; returns how many were flagged."""
    cutoff = timezone.now() - timedelta(hours=hours)
    flagged = 0
    with transaction.atomic():
        waiting = (
            Challenge.objects.select_for_update(skip_locked=True)
            .filter(
                status=Challenge.Status.OPEN,
                solution_count=0,
                created_at__lte=cutoff,
                unanswered_notified_at__isnull=True,
                is_hidden=False,
                deleted_at__isnull=True,
            )
            .order_by("created_at")[:limit]
        )
        for challenge in waiting:
            challenge.unanswered_notified_at = timezone.now()
            challenge.save(update_fields=["unanswered_notified_at"])
            events.record("challenge.unanswered", challenge_id=challenge.pk)
            flagged += 1
    return flagged


@invalidates("leaderboard")
@transaction.atomic
def reputation_award(*, user_id: int, reason: str, points: int, source_key: str) -> bool:
    """Record points earned outside challenges (e.g. helpful review feedback) in the
    ledger and on the profile, once per `source_key`. Returns whether it was new."""
    _, created = ReputationEvent.objects.get_or_create(
        source_key=source_key,
        defaults={
            "user_id": user_id,
            "reason": reason,
            "points": points,
            "created_at": timezone.now(),
        },
    )
    if created:
        account_services.reputation_adjust(user_id=user_id, delta=points)
    return created


@invalidates("leaderboard")
@transaction.atomic
def reputation_withdraw(*, source_key: str) -> bool:
    """Take back the points recorded under `source_key`, if any."""
    event = ReputationEvent.objects.select_for_update().filter(source_key=source_key).first()
    if event is None:
        return False
    account_services.reputation_adjust(user_id=event.user_id, delta=-event.points)
    event.delete()
    return True
