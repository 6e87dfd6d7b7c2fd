"""Who hears of each event, and what they are told.

Each event name maps to a function returning the event's audiences: a kind
of notification, the users who get it (a queryset, walked in batches), and
the words. The first audience that reaches a user wins: the challenge's
author hears "a solution on your challenge", not also "activity on a
challenge you follow". Nobody is told of their own action.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet

from nexus.accounts.models import Profile, User
from nexus.challenges.models import Challenge, Comment, Follow, Solution
from nexus.core.markdown import extract_mentions, plain_text
from nexus.notifications.models import Notification, OutboxEvent

Kind = Notification.Kind


@dataclass(frozen=True)
class Audience:
    kind: str
    users: QuerySet[User]
    title: str
    target_type: str
    target_id: int
    url: str
    excerpt: str = ""
    # Makes one notification per recipient and cause; defaults to the event's id.
    cause: str = ""


@dataclass(frozen=True)
class EventAudiences:
    actor_id: int | None
    audiences: list[Audience] = field(default_factory=list)
    # Webhook topic this event is carried under, and the technologies it concerns.
    webhook_topic: str = ""
    technology_ids: list[int] = field(default_factory=list)
    webhook_message: dict[str, Any] = field(default_factory=dict)


def _users(**lookup: Any) -> QuerySet[User]:
    return User.objects.filter(is_active=True, **lookup)


def _short(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _mentions(source: str, *, title: str, **on: Any) -> Audience:
    names = extract_mentions(source)
    return Audience(
        kind=Kind.MENTIONED,
        users=_users(username__in=names) if names else User.objects.none(),
        title=title,
        excerpt=plain_text(source, 200),
        **on,
    )


def _followers(challenge: Challenge) -> QuerySet[User]:
    return _users(pk__in=Follow.objects.filter(challenge=challenge).values("user_id"))


def _challenge_url(challenge_id: int) -> str:
    return f"/api/v1/challenges/{challenge_id}/"


def challenge_created(payload: dict[str, Any]) -> EventAudiences:
    challenge = Challenge.objects.select_related("author").get(pk=payload["challenge_id"])
    url = _challenge_url(challenge.pk)
    return EventAudiences(
        actor_id=challenge.author_id,
        audiences=[
            _mentions(
                challenge.body,
                title=f"{challenge.author.username} mentioned you in “{_short(challenge.title)}”",
                target_type="challenge",
                target_id=challenge.pk,
                url=url,
            )
        ],
        webhook_topic="challenge.created",
        technology_ids=list(challenge.technologies.values_list("pk", flat=True)),
        webhook_message={
            "title": f"New challenge: {challenge.title}",
            "description": plain_text(challenge.body, 300),
            "url": url,
            "author": challenge.author.username,
        },
    )


def solution_created(payload: dict[str, Any]) -> EventAudiences:
    solution = Solution.objects.select_related("author", "challenge").get(pk=payload["solution_id"])
    challenge = solution.challenge
    who, about = solution.author.username, _short(challenge.title)
    url = _challenge_url(challenge.pk)
    on: dict[str, Any] = {"target_type": "solution", "target_id": solution.pk, "url": url}
    return EventAudiences(
        actor_id=solution.author_id,
        audiences=[
            Audience(
                kind=Kind.SOLUTION_POSTED,
                users=_users(pk=challenge.author_id),
                title=f"{who} posted a solution to your challenge “{about}”",
                excerpt=plain_text(solution.body, 200),
                **on,
            ),
            _mentions(solution.body, title=f"{who} mentioned you in a solution to “{about}”", **on),
            Audience(
                kind=Kind.FOLLOWED_ACTIVITY,
                users=_followers(challenge),
                title=f"{who} posted a solution to “{about}”",
                **on,
            ),
        ],
    )


def solution_accepted(payload: dict[str, Any]) -> EventAudiences:
    solution = Solution.objects.select_related("author", "challenge__author").get(
        pk=payload["solution_id"]
    )
    challenge = solution.challenge
    about = _short(challenge.title)
    url = _challenge_url(challenge.pk)
    accepter = User.objects.filter(pk=int(payload.get("actor_id") or 0)).first()
    accepter_name = accepter.username if accepter else challenge.author.username
    return EventAudiences(
        actor_id=payload.get("actor_id"),
        audiences=[
            Audience(
                kind=Kind.SOLUTION_ACCEPTED,
                users=_users(pk=solution.author_id),
                title=f"{accepter_name} accepted your solution to “{about}”",
                target_type="solution",
                target_id=solution.pk,
                url=url,
            ),
            Audience(
                kind=Kind.FOLLOWED_ACTIVITY,
                users=_followers(challenge),
                title=f"“{about}” is solved",
                target_type="challenge",
                target_id=challenge.pk,
                url=url,
            ),
        ],
        webhook_topic="challenge.solved",
        technology_ids=list(challenge.technologies.values_list("pk", flat=True)),
        webhook_message={
            "title": f"Solved: {challenge.title}",
            "description": plain_text(solution.body, 300),
            "url": url,
            "author": solution.author.username,
        },
    )


def comment_created(payload: dict[str, Any]) -> EventAudiences:
    comment = Comment.objects.select_related(
        "author", "challenge", "solution__challenge", "solution__author"
    ).get(pk=payload["comment_id"])
    post: Challenge | Solution = comment.challenge or comment.solution  # type: ignore[assignment]
    challenge = comment.challenge or comment.solution.challenge  # type: ignore[union-attr]
    who, about = comment.author.username, _short(challenge.title)
    url = _challenge_url(challenge.pk)
    on_what = "your challenge" if isinstance(post, Challenge) else "your solution to"
    on: dict[str, Any] = {"target_type": "comment", "target_id": comment.pk, "url": url}
    return EventAudiences(
        actor_id=comment.author_id,
        audiences=[
            Audience(
                kind=Kind.COMMENT_POSTED,
                users=_users(pk=post.author_id),
                title=f"{who} commented on {on_what} “{about}”",
                excerpt=plain_text(comment.body, 200),
                **on,
            ),
            _mentions(comment.body, title=f"{who} mentioned you in a comment on “{about}”", **on),
            Audience(
                kind=Kind.FOLLOWED_ACTIVITY,
                users=_followers(challenge),
                title=f"{who} commented on “{about}”",
                **on,
            ),
        ],
    )


def vote_milestone(payload: dict[str, Any]) -> EventAudiences:
    target, target_id, score = payload["target"], payload["target_id"], payload["score"]
    model = Challenge if target == "challenge" else Solution
    post: Any = model.objects.select_related("author").get(pk=target_id)
    challenge = post if isinstance(post, Challenge) else post.challenge
    return EventAudiences(
        actor_id=None,  # a milestone is nobody's action in particular
        audiences=[
            Audience(
                kind=Kind.VOTE_MILESTONE,
                users=_users(pk=post.author_id),
                title=f"Your {target} on “{_short(challenge.title)}” reached a score of {score}",
                target_type=target,
                target_id=target_id,
                url=_challenge_url(challenge.pk),
                cause=f"milestone:{target}:{target_id}:{score}",
            )
        ],
    )


def challenge_unanswered(payload: dict[str, Any]) -> EventAudiences:
    challenge = Challenge.objects.prefetch_related("technologies").get(pk=payload["challenge_id"])
    names = {t.name.lower() for t in challenge.technologies.all()} | {
        t.slug.lower() for t in challenge.technologies.all()
    }
    mentors = [
        profile.user_id
        for profile in Profile.objects.filter(role=Profile.Role.MENTOR, user__is_active=True).only(
            "user_id", "skills"
        )
        if names & {str(skill).lower() for skill in profile.skills}
    ]
    return EventAudiences(
        actor_id=None,
        audiences=[
            Audience(
                kind=Kind.CHALLENGE_UNANSWERED,
                users=_users(pk__in=mentors),
                title=f"Unanswered for a while, in your skills: “{_short(challenge.title)}”",
                target_type="challenge",
                target_id=challenge.pk,
                url=_challenge_url(challenge.pk),
                excerpt=plain_text(challenge.body, 200),
            )
        ],
    )


HANDLERS: dict[str, Callable[[dict[str, Any]], EventAudiences]] = {
    "challenge.created": challenge_created,
    "solution.created": solution_created,
    "solution.accepted": solution_accepted,
    "comment.created": comment_created,
    "vote.milestone": vote_milestone,
    "challenge.unanswered": challenge_unanswered,
}


def register(name: str, handler: Callable[[dict[str, Any]], EventAudiences]) -> None:
    """Let another app (collaboration) add the audiences of its own events."""
    HANDLERS[name] = handler


def audiences_for(event: OutboxEvent) -> EventAudiences | None:
    handler = HANDLERS.get(event.name)
    return handler(event.payload) if handler else None


def exclude_actor(users: QuerySet[User], actor_id: int | None) -> QuerySet[User]:
    return users.exclude(pk=actor_id) if actor_id else users
