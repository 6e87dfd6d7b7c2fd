"""REST door of channels, messages and announcements."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import include, path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, permissions, serializers, status
from rest_framework.filters import OrderingFilter
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from nexus.accounts.api.rest import UserRefSerializer
from nexus.collaboration.api import descriptions
from nexus.collaboration.models import Channel, Membership, Message, Reaction
from nexus.collaboration.selectors import channels as selectors
from nexus.collaboration.services import channels as services
from nexus.core.api.rest import actor, body_object


class ChannelSerializer(serializers.Serializer[Channel]):
    slug = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)
    kind = serializers.ChoiceField(choices=Channel.Kind.choices, read_only=True)
    topic = serializers.CharField(read_only=True)
    is_archived = serializers.BooleanField(read_only=True)
    cohort = serializers.CharField(source="cohort.slug", read_only=True, allow_null=True)
    technology = serializers.CharField(source="technology.slug", read_only=True, allow_null=True)
    message_count = serializers.IntegerField(read_only=True, help_text=descriptions.MESSAGE_COUNT)
    last_message_at = serializers.DateTimeField(read_only=True, allow_null=True)
    is_member = serializers.SerializerMethodField()
    unread_count = serializers.IntegerField(read_only=True, help_text=descriptions.UNREAD_COUNT)
    created_at = serializers.DateTimeField(read_only=True)

    def get_is_member(self, channel: Channel) -> bool:
        return getattr(channel, "member_marker", None) is not None


class ChannelWriteSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=80)
    slug = serializers.SlugField(required=False, help_text="Made from the name if left out.")
    kind = serializers.ChoiceField(choices=Channel.Kind.choices, required=False)
    topic = serializers.CharField(required=False, allow_blank=True, max_length=300)
    cohort = serializers.SlugField(required=False, allow_null=True)
    technology = serializers.SlugField(required=False, allow_null=True)
    is_archived = serializers.BooleanField(required=False, help_text="PATCH only.")


class ReactionSummarySerializer(serializers.Serializer[Any]):
    emoji = serializers.CharField()
    count = serializers.IntegerField()
    mine = serializers.BooleanField()


class MessageSerializer(serializers.Serializer[Message]):
    id = serializers.IntegerField(read_only=True)
    channel = serializers.CharField(source="channel.slug", read_only=True)
    author = UserRefSerializer(read_only=True)
    # A field named like DRF's Field.parent: fine at runtime, the metaclass moves it.
    parent = serializers.IntegerField(  # type: ignore[assignment]
        source="parent_id", read_only=True, allow_null=True
    )
    body = serializers.CharField(read_only=True)
    body_html = serializers.CharField(read_only=True)
    is_pinned = serializers.BooleanField(read_only=True)
    reply_count = serializers.IntegerField(read_only=True, help_text=descriptions.REPLY_COUNT)
    last_reply_at = serializers.DateTimeField(read_only=True, allow_null=True)
    reactions = serializers.SerializerMethodField()
    challenge = serializers.IntegerField(source="challenge_id", read_only=True, allow_null=True)
    edited_at = serializers.DateTimeField(read_only=True, allow_null=True)
    created_at = serializers.DateTimeField(read_only=True)

    def get_reactions(self, message: Message) -> list[dict[str, Any]]:
        viewer = self.context.get("viewer_id")
        return selectors.reaction_summary(message, viewer)


class MessagePageSerializer(serializers.Serializer[Any]):
    results = MessageSerializer(many=True, source="messages")
    next_before = serializers.IntegerField(
        allow_null=True, help_text="Pass as ?before= for older messages."
    )


class MessageWriteSerializer(serializers.Serializer[Any]):
    body = serializers.CharField(help_text="Markdown; @username mentions notify.")
    parent = serializers.IntegerField(  # type: ignore[assignment]
        required=False, help_text="Reply in this thread."
    )
    pinned = serializers.BooleanField(required=False, help_text="Staff: pin an announcement.")


class MemberSerializer(serializers.Serializer[Membership]):
    user = UserRefSerializer(read_only=True)
    role = serializers.CharField(read_only=True)
    can_invite = serializers.BooleanField(read_only=True)
    joined_at = serializers.DateTimeField(read_only=True)


class InviteSerializer(serializers.Serializer[Any]):
    username = serializers.CharField()
    can_invite = serializers.BooleanField(required=False, help_text="Owner: let them invite too.")


class ReadMarkerSerializer(serializers.Serializer[Any]):
    last_read = serializers.IntegerField(help_text="The newest message id you have read.")


class ReactionWriteSerializer(serializers.Serializer[Any]):
    emoji = serializers.ChoiceField(choices=Reaction.Emoji.choices)


class ChangedSerializer(serializers.Serializer[Any]):
    changed = serializers.BooleanField()


class ToChallengeSerializer(serializers.Serializer[Any]):
    title = serializers.CharField(required=False, max_length=200)
    technologies = serializers.ListField(child=serializers.SlugField(), required=False)
    tags = serializers.ListField(child=serializers.CharField(), required=False)


class ChallengeLinkSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    title = serializers.CharField()


def _message_response(request: Request, message_id: int, code: int = 200) -> Response:
    message = selectors.message_get(viewer=actor(request), message_id=message_id)
    data = MessageSerializer(message, context={"viewer_id": request.user.pk}).data
    return Response(data, status=code)


@extend_schema_view(
    get=extend_schema(
        tags=["channels"],
        summary="Channels you can read, with your unread counts",
        parameters=[
            OpenApiParameter("mine", OpenApiTypes.STR, enum=["true", "false"]),
            OpenApiParameter("kind", OpenApiTypes.STR, enum=Channel.Kind.values),
            OpenApiParameter("q", OpenApiTypes.STR, description="Name contains."),
        ],
    )
)
class ChannelListView(generics.ListAPIView[Channel]):
    serializer_class = ChannelSerializer
    permission_classes = (permissions.IsAuthenticated,)
    filter_backends = (OrderingFilter,)
    ordering = ("slug",)
    ordering_fields = ("slug", "last_message_at", "created_at")

    def get_queryset(self) -> QuerySet[Channel]:
        return selectors.channel_list(viewer=actor(self.request), filters=self.request.query_params)

    @extend_schema(
        tags=["channels"],
        summary="Open a channel",
        request=ChannelWriteSerializer,
        responses={201: ChannelSerializer},
    )
    def post(self, request: Request) -> Response:
        user = actor(request)
        channel = services.channel_create(actor=user, data=body_object(request))
        shown = selectors.channel_get(viewer=user, slug=channel.slug)
        return Response(ChannelSerializer(shown).data, status=status.HTTP_201_CREATED)


class ChannelDetailView(APIView):
    permission_classes = (permissions.IsAuthenticated,)

    @extend_schema(tags=["channels"], summary="A channel", responses={200: ChannelSerializer})
    def get(self, request: Request, slug: str) -> Response:
        return Response(
            ChannelSerializer(selectors.channel_get(viewer=actor(request), slug=slug)).data
        )

    @extend_schema(
        tags=["channels"],
        summary="Rename, re-topic or archive (owner or staff)",
        request=ChannelWriteSerializer(partial=True),
        responses={200: ChannelSerializer},
    )
    def patch(self, request: Request, slug: str) -> Response:
        user = actor(request)
        services.channel_update(actor=user, slug=slug, data=body_object(request))
        return Response(ChannelSerializer(selectors.channel_get(viewer=user, slug=slug)).data)


class ChannelJoinView(APIView):
    permission_classes = (permissions.IsAuthenticated,)

    @extend_schema(
        tags=["channels"],
        summary="Join a channel",
        request=None,
        responses={200: ChannelSerializer},
    )
    def post(self, request: Request, slug: str) -> Response:
        user = actor(request)
        services.channel_join(actor=user, slug=slug)
        return Response(ChannelSerializer(selectors.channel_get(viewer=user, slug=slug)).data)


class ChannelLeaveView(APIView):
    permission_classes = (permissions.IsAuthenticated,)

    @extend_schema(
        tags=["channels"], summary="Leave a channel", request=None, responses={204: None}
    )
    def post(self, request: Request, slug: str) -> Response:
        services.channel_leave(actor=actor(request), slug=slug)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(get=extend_schema(tags=["channels"], summary="Members of a channel"))
class MemberListView(generics.ListAPIView[Membership]):
    serializer_class = MemberSerializer
    permission_classes = (permissions.IsAuthenticated,)
    filter_backends = (OrderingFilter,)
    ordering = ("joined_at", "id")
    ordering_fields = ("joined_at",)

    def get_queryset(self) -> QuerySet[Membership]:
        return selectors.member_list(viewer=actor(self.request), slug=self.kwargs["slug"])

    @extend_schema(
        tags=["channels"],
        summary="Invite someone",
        request=InviteSerializer,
        responses={201: MemberSerializer},
    )
    def post(self, request: Request, slug: str) -> Response:
        data = body_object(request)
        membership = services.member_invite(
            actor=actor(request),
            slug=slug,
            username=data.get("username"),
            can_invite=data.get("can_invite") is True,
        )
        return Response(MemberSerializer(membership).data, status=status.HTTP_201_CREATED)


class MemberDetailView(APIView):
    permission_classes = (permissions.IsAuthenticated,)

    @extend_schema(
        tags=["channels"], summary="Remove a member (owner or staff)", responses={204: None}
    )
    def delete(self, request: Request, slug: str, username: str) -> Response:
        services.member_remove(actor=actor(request), slug=slug, username=username)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ChannelReadView(APIView):
    permission_classes = (permissions.IsAuthenticated,)

    @extend_schema(
        tags=["channels"],
        summary="Move your read marker",
        request=ReadMarkerSerializer,
        responses={200: ChannelSerializer},
    )
    def post(self, request: Request, slug: str) -> Response:
        user = actor(request)
        services.channel_mark_read(
            actor=user, slug=slug, last_read=body_object(request).get("last_read")
        )
        return Response(ChannelSerializer(selectors.channel_get(viewer=user, slug=slug)).data)


class MessageListView(APIView):
    permission_classes = (permissions.IsAuthenticated,)

    @extend_schema(
        tags=["channels"],
        summary="Messages, newest first",
        description="`?before=<id>` pages back; `?since=<id>` catches up (oldest first); "
        "`?parent=<id>` reads a thread.",
        parameters=[
            OpenApiParameter("before", OpenApiTypes.INT),
            OpenApiParameter("since", OpenApiTypes.INT),
            OpenApiParameter("parent", OpenApiTypes.INT),
            OpenApiParameter("page_size", OpenApiTypes.INT, description="Up to 100."),
        ],
        responses={200: MessagePageSerializer},
        operation_id="channels_messages_list",
    )
    def get(self, request: Request, slug: str) -> Response:
        user = actor(request)
        page = selectors.message_page(viewer=user, slug=slug, params=request.query_params)
        return Response(MessagePageSerializer(page, context={"viewer_id": user.pk}).data)

    @extend_schema(
        tags=["channels"],
        summary="Post a message or a reply",
        request=MessageWriteSerializer,
        responses={201: MessageSerializer},
    )
    def post(self, request: Request, slug: str) -> Response:
        message = services.message_post(actor=actor(request), slug=slug, data=body_object(request))
        return _message_response(request, message.pk, status.HTTP_201_CREATED)


class MessageDetailView(APIView):
    permission_classes = (permissions.IsAuthenticated,)

    @extend_schema(tags=["channels"], summary="A message", responses={200: MessageSerializer})
    def get(self, request: Request, slug: str, message_id: int) -> Response:
        return _message_response(request, message_id)

    @extend_schema(
        tags=["channels"],
        summary="Edit your message (its history is kept)",
        request=MessageWriteSerializer(partial=True),
        responses={200: MessageSerializer},
    )
    def patch(self, request: Request, slug: str, message_id: int) -> Response:
        services.message_edit(
            actor=actor(request), message_id=message_id, data=body_object(request)
        )
        return _message_response(request, message_id)

    @extend_schema(tags=["channels"], summary="Delete a message", responses={204: None})
    def delete(self, request: Request, slug: str, message_id: int) -> Response:
        services.message_delete(actor=actor(request), message_id=message_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ReactionView(APIView):
    permission_classes = (permissions.IsAuthenticated,)

    @extend_schema(
        tags=["channels"],
        summary="React to a message",
        request=ReactionWriteSerializer,
        responses={200: ChangedSerializer},
    )
    def post(self, request: Request, slug: str, message_id: int) -> Response:
        changed = services.reaction_set(
            actor=actor(request),
            message_id=message_id,
            emoji=body_object(request).get("emoji"),
            present=True,
        )
        return Response({"changed": changed})

    @extend_schema(
        tags=["channels"],
        summary="Take a reaction back",
        parameters=[OpenApiParameter("emoji", OpenApiTypes.STR, required=True)],
        responses={200: ChangedSerializer},
    )
    def delete(self, request: Request, slug: str, message_id: int) -> Response:
        changed = services.reaction_set(
            actor=actor(request),
            message_id=message_id,
            emoji=request.query_params.get("emoji"),
            present=False,
        )
        return Response({"changed": changed})


class ToChallengeView(APIView):
    permission_classes = (permissions.IsAuthenticated,)

    @extend_schema(
        tags=["channels"],
        summary="Turn a thread into a challenge",
        request=ToChallengeSerializer,
        responses={201: ChallengeLinkSerializer},
    )
    def post(self, request: Request, slug: str, message_id: int) -> Response:
        data = body_object(request) if request.data else {}
        challenge = services.message_to_challenge(
            actor=actor(request), message_id=message_id, data=data
        )
        return Response(
            {"id": challenge.pk, "title": challenge.title}, status=status.HTTP_201_CREATED
        )


class AnnouncementListView(generics.ListAPIView[Message]):
    serializer_class = MessageSerializer
    permission_classes = (permissions.IsAuthenticated,)
    filter_backends = ()
    pagination_class = None

    def get_queryset(self) -> QuerySet[Message]:
        return selectors.announcement_list(viewer=actor(self.request))[:50]

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "viewer_id": self.request.user.pk}

    @extend_schema(tags=["announcements"], summary="Announcements, pinned first (latest 50)")
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        tags=["announcements"],
        summary="Announce (staff)",
        description='`{"channel": slug, "body", "pinned"}`; goes to Discord webhooks too.',
        request=MessageWriteSerializer,
        responses={201: MessageSerializer},
    )
    def post(self, request: Request) -> Response:
        data = dict(body_object(request))
        slug = data.pop("channel", "announcements")
        message = services.message_post(actor=actor(request), slug=str(slug), data=data)
        return _message_response(request, message.pk, status.HTTP_201_CREATED)


message_urls = [
    path("", MessageListView.as_view(), name="message-list"),
    path("<int:message_id>/", MessageDetailView.as_view(), name="message-detail"),
    path("<int:message_id>/reactions/", ReactionView.as_view(), name="message-reactions"),
    path("<int:message_id>/to-challenge/", ToChallengeView.as_view(), name="message-to-challenge"),
]

urlpatterns = [
    path("channels/", ChannelListView.as_view(), name="channel-list"),
    path("channels/<slug:slug>/", ChannelDetailView.as_view(), name="channel-detail"),
    path("channels/<slug:slug>/join/", ChannelJoinView.as_view(), name="channel-join"),
    path("channels/<slug:slug>/leave/", ChannelLeaveView.as_view(), name="channel-leave"),
    path("channels/<slug:slug>/read/", ChannelReadView.as_view(), name="channel-read"),
    path("channels/<slug:slug>/members/", MemberListView.as_view(), name="channel-members"),
    path(
        "channels/<slug:slug>/members/<str:username>/",
        MemberDetailView.as_view(),
        name="channel-member",
    ),
    path("channels/<slug:slug>/messages/", include(message_urls)),
    path("announcements/", AnnouncementListView.as_view(), name="announcement-list"),
]
