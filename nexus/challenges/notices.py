"""What the challenges app tells people: its notification kinds, webhook topics
and the audiences of its events, plugged into the notifications app."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from nexus.accounts.models import User
from nexus.accounts.selectors import mentor_ids_skilled_in
from nexus.challenges.models import Challenge, Comment, Follow, Solution
from nexus.core.markdown import plain_text
from nexus.notifications import audiences, services, webhooks
from nexus.notifications.audiences import Audience, EventAudiences, active_users, mentions, short

SOLUTION_POSTED = "solution_posted"
SOLUTION_ACCEPTED = "solution_accepted"
CHALLENGE_UNANSWERED = "challenge_unanswered"
COMMENT_POSTED = "comment_posted"
FOLLOWED_ACTIVITY = "followed_activity"
VOTE_MILESTONE = "vote_milestone"

KINDS = {
    SOLUTION_POSTED: "immediate",
    SOLUTION_ACCEPTED: "immediate",
    CHALLENGE_UNANSWERED: "immediate",
    COMMENT_POSTED: "daily",
    FOLLOWED_ACTIVITY: "daily",
    VOTE_MILESTONE: "weekly",
}


def challenge_url(challenge_id: int) -> str:
    return f"/api/v1/challenges/{challenge_id}/"


def _followers(challenge: Challenge) -> QuerySet[User]:
    return active_users(pk__in=Follow.objects.filter(challenge=challenge).values("user_id"))


def _on_a_post(
    *,
    kind: str,
    owner_id: int,
    challenge: Challenge,
    body: str,
    titles: tuple[str, str, str],
    on: dict[str, Any],
) -> list[Audience]:
    """Who hears of a new post on a challenge, first come first told: the owner of
    what it answers, the people it mentions, the challenge's followers. `titles`
    are what each of them is told."""
    to_owner, to_mentioned, to_followers = titles
    return [
        Audience(
            kind=kind,
            users=active_users(pk=owner_id),
            title=to_owner,
            excerpt=plain_text(body, 200),
            **on,
        ),
        mentions(body, title=to_mentioned, **on),
        Audience(kind=FOLLOWED_ACTIVITY, users=_followers(challenge), title=to_followers, **on),
    ]


def challenge_created(payload: dict[str, Any]) -> EventAudiences:
    challenge = Challenge.objects.select_related("author").get(pk=payload["challenge_id"])
    url = challenge_url(challenge.pk)
    return EventAudiences(
        actor_id=challenge.author_id,
        audiences=[
            mentions(
                challenge.body,
                title=f"{challenge.author.username} mentioned you in “{short(challenge.title)}”",
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
    who, about = solution.author.username, short(challenge.title)
    on: dict[str, Any] = {
        "target_type": "solution",
        "target_id": solution.pk,
        "url": challenge_url(challenge.pk),
    }
    return EventAudiences(
        actor_id=solution.author_id,
        audiences=_on_a_post(
            kind=SOLUTION_POSTED,
            owner_id=challenge.author_id,
            challenge=challenge,
            body=solution.body,
            titles=(
                f"{who} posted a solution to your challenge “{about}”",
                f"{who} mentioned you in a solution to “{about}”",
                f"{who} posted a solution to “{about}”",
            ),
            on=on,
        ),
    )


def solution_accepted(payload: dict[str, Any]) -> EventAudiences:
    solution = Solution.objects.select_related("author", "challenge__author").get(
        pk=payload["solution_id"]
    )
    challenge = solution.challenge
    about = short(challenge.title)
    url = challenge_url(challenge.pk)
    accepter = User.objects.filter(pk=int(payload.get("actor_id") or 0)).first()
    accepter_name = accepter.username if accepter else challenge.author.username
    return EventAudiences(
        actor_id=payload.get("actor_id"),
        audiences=[
            Audience(
                kind=SOLUTION_ACCEPTED,
                users=active_users(pk=solution.author_id),
                title=f"{accepter_name} accepted your solution to “{about}”",
                target_type="solution",
                target_id=solution.pk,
                url=url,
            ),
            Audience(
                kind=FOLLOWED_ACTIVITY,
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
    who, about = comment.author.username, short(challenge.title)
    on_what = "your challenge" if isinstance(post, Challenge) else "your solution to"
    on: dict[str, Any] = {
        "target_type": "comment",
        "target_id": comment.pk,
        "url": challenge_url(challenge.pk),
    }
    return EventAudiences(
        actor_id=comment.author_id,
        audiences=_on_a_post(
            kind=COMMENT_POSTED,
            owner_id=post.author_id,
            challenge=challenge,
            body=comment.body,
            titles=(
                f"{who} commented on {on_what} “{about}”",
                f"{who} mentioned you in a comment on “{about}”",
                f"{who} commented on “{about}”",
            ),
            on=on,
        ),
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
                kind=VOTE_MILESTONE,
                users=active_users(pk=post.author_id),
                title=f"Your {target} on “{short(challenge.title)}” reached a score of {score}",
                target_type=target,
                target_id=target_id,
                url=challenge_url(challenge.pk),
                cause=f"milestone:{target}:{target_id}:{score}",
            )
        ],
    )


def challenge_unanswered(payload: dict[str, Any]) -> EventAudiences:
    challenge = Challenge.objects.prefetch_related("technologies").get(pk=payload["challenge_id"])
    skills = {t.name for t in challenge.technologies.all()} | {
        t.slug for t in challenge.technologies.all()
    }
    return EventAudiences(
        actor_id=None,
        audiences=[
            Audience(
                kind=CHALLENGE_UNANSWERED,
                users=active_users(pk__in=mentor_ids_skilled_in(skills)),
                title=f"Unanswered for a while, in your skills: “{short(challenge.title)}”",
                target_type="challenge",
                target_id=challenge.pk,
                url=challenge_url(challenge.pk),
                excerpt=plain_text(challenge.body, 200),
            )
        ],
    )


def register() -> None:
    for kind, plan in KINDS.items():
        services.register_kind(kind, plan)
    webhooks.register_topic("challenge.created")
    webhooks.register_topic("challenge.solved")
    audiences.register("challenge.created", challenge_created)
    audiences.register("solution.created", solution_created)
    audiences.register("solution.accepted", solution_accepted)
    audiences.register("comment.created", comment_created)
    audiences.register("vote.milestone", vote_milestone)
    audiences.register("challenge.unanswered", challenge_unanswered)
