"""The shapes of the challenges app's REST answers: one serializer per resource,
which produces every response of it and which the schema documents."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from rest_framework import serializers

from nexus.accounts.api.rest import UserRefSerializer
from nexus.challenges.models import Challenge, ChallengeRevision, ModerationAction
from nexus.core.api.rest import iso_datetime
from nexus.knowledge.api.rest import RefSerializer
from nexus.knowledge.models import Concept, Tag, Technology


class HiddenFieldsMixin(serializers.Serializer[Any]):
    """Hidden posts reach only staff and their author, who see why."""

    is_hidden = serializers.BooleanField(read_only=True)
    hidden_reason = serializers.CharField(read_only=True)


class CommentSerializer(HiddenFieldsMixin):
    id = serializers.IntegerField(read_only=True)
    author = UserRefSerializer(read_only=True)
    body = serializers.CharField(read_only=True)
    body_html = serializers.CharField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)


class SolutionSerializer(HiddenFieldsMixin):
    id = serializers.IntegerField(read_only=True)
    challenge = serializers.IntegerField(source="challenge_id", read_only=True)
    author = UserRefSerializer(read_only=True)
    body = serializers.CharField(read_only=True)
    body_html = serializers.CharField(read_only=True)
    score = serializers.IntegerField(read_only=True)
    is_accepted = serializers.BooleanField(read_only=True)
    accepted_at = serializers.DateTimeField(read_only=True, allow_null=True)
    comment_count = serializers.IntegerField(read_only=True)
    comments = CommentSerializer(source="visible_comments", many=True, read_only=True)
    promoted_guide = serializers.CharField(
        source="promoted_guide.slug",
        read_only=True,
        allow_null=True,
        help_text="The slug of the guide this solution became, if any.",
    )
    my_vote = serializers.IntegerField(read_only=True, help_text="Your vote: -1, 0 or 1.")
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)


class ChallengeFields(HiddenFieldsMixin):
    """The fields every view of a challenge shows."""

    id = serializers.IntegerField(read_only=True)
    title = serializers.CharField(read_only=True)
    status = serializers.ChoiceField(choices=Challenge.Status.choices, read_only=True)
    author = UserRefSerializer(read_only=True)
    technologies = RefSerializer(source="technology_refs", many=True, read_only=True)
    concepts = RefSerializer(source="concept_refs", many=True, read_only=True)
    tags = RefSerializer(source="tag_refs", many=True, read_only=True)
    score = serializers.IntegerField(read_only=True)
    view_count = serializers.IntegerField(read_only=True)
    solution_count = serializers.IntegerField(read_only=True)
    comment_count = serializers.IntegerField(read_only=True)
    accepted_solution = serializers.IntegerField(
        source="accepted_solution_id", read_only=True, allow_null=True
    )
    duplicate_of = serializers.IntegerField(
        source="duplicate_of_id", read_only=True, allow_null=True
    )
    current_revision = serializers.IntegerField(
        source="current_revision_id", read_only=True, help_text="Send as base_revision to edit."
    )
    last_activity_at = serializers.DateTimeField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)


class ChallengeSerializer(ChallengeFields):
    """A challenge in a list, from `selectors.challenge_queryset`.

    Its JSON is built in one function rather than field by field: on a page of
    challenges DRF's per-field calls cost more than the page's four queries. The
    fields above still declare the shape; a test holds the two equal."""

    def to_representation(self, challenge: Challenge) -> dict[str, Any]:
        author, zone = challenge.author, timezone.get_current_timezone()
        return {
            "is_hidden": challenge.is_hidden,
            "hidden_reason": challenge.hidden_reason,
            "id": challenge.pk,
            "title": challenge.title,
            "status": challenge.status,
            "author": {"username": author.username, "display_name": author.display_name},
            "technologies": _refs(challenge.technology_refs),  # type: ignore[attr-defined]
            "concepts": _refs(challenge.concept_refs),  # type: ignore[attr-defined]
            "tags": _refs(challenge.tag_refs),  # type: ignore[attr-defined]
            "score": challenge.score,
            "view_count": challenge.view_count,
            "solution_count": challenge.solution_count,
            "comment_count": challenge.comment_count,
            "accepted_solution": challenge.accepted_solution_id,
            "duplicate_of": challenge.duplicate_of_id,
            "current_revision": challenge.current_revision_id,
            "last_activity_at": iso_datetime(challenge.last_activity_at, zone),
            "created_at": iso_datetime(challenge.created_at, zone),
            "updated_at": iso_datetime(challenge.updated_at, zone),
        }


def _refs(links: list[Technology | Concept | Tag]) -> list[dict[str, str]]:
    return [{"slug": link.slug, "name": link.name} for link in links]


class ChallengeDetailSerializer(ChallengeFields):
    body = serializers.CharField(read_only=True)
    body_html = serializers.CharField(read_only=True)
    solutions = SolutionSerializer(source="visible_solutions", many=True, read_only=True)
    comments = CommentSerializer(source="visible_comments", many=True, read_only=True)
    my_vote = serializers.IntegerField(read_only=True, help_text="Your vote: -1, 0 or 1.")
    is_following = serializers.BooleanField(read_only=True)
    is_bookmarked = serializers.BooleanField(read_only=True)


class ChallengeWriteSerializer(serializers.Serializer[Any]):
    title = serializers.CharField(min_length=10, max_length=200)
    body = serializers.CharField(
        help_text="Markdown: the problem, what you tried, your environment."
    )
    technologies = serializers.ListField(child=serializers.SlugField(), required=False)
    concepts = serializers.ListField(child=serializers.SlugField(), required=False)
    tags = serializers.ListField(child=serializers.CharField(max_length=50), required=False)
    message = serializers.CharField(required=False, max_length=200)
    base_revision = serializers.IntegerField(
        required=False, help_text="PATCH: the revision your edit started from."
    )


class BodySerializer(serializers.Serializer[Any]):
    body = serializers.CharField(help_text="Markdown.")


class VoteSerializer(serializers.Serializer[Any]):
    value = serializers.IntegerField(help_text="1 up, -1 down, 0 withdraws your vote.")


class ScoreSerializer(serializers.Serializer[Any]):
    score = serializers.IntegerField()
    my_vote = serializers.IntegerField()


class ReasonSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(required=False, max_length=500)


class DuplicateSerializer(ReasonSerializer):
    original = serializers.IntegerField(help_text="The id of the challenge this one repeats.")


class FlagSerializer(serializers.Serializer[Any]):
    active = serializers.BooleanField()


class ChallengeRevisionSerializer(serializers.Serializer[ChallengeRevision]):
    id = serializers.IntegerField(read_only=True)
    number = serializers.IntegerField(read_only=True)
    title = serializers.CharField(read_only=True)
    body = serializers.CharField(read_only=True)
    message = serializers.CharField(read_only=True)
    editor = UserRefSerializer(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)


class ModerationActionSerializer(serializers.Serializer[ModerationAction]):
    id = serializers.IntegerField(read_only=True)
    actor = UserRefSerializer(read_only=True)
    action = serializers.CharField(read_only=True)
    target_type = serializers.CharField(read_only=True)
    target_id = serializers.IntegerField(read_only=True)
    challenge = serializers.IntegerField(source="challenge_id", read_only=True)
    challenge_title = serializers.CharField(source="challenge.title", read_only=True)
    reason = serializers.CharField(read_only=True)
    details = serializers.DictField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)


class LeaderboardRowSerializer(serializers.Serializer[Any]):
    rank = serializers.IntegerField()
    user = UserRefSerializer()
    points = serializers.IntegerField()


class GuideLinkSerializer(serializers.Serializer[Any]):
    slug = serializers.CharField()
    title = serializers.CharField()
