"""REST door of the accounts app: auth, me, public profiles, cohorts."""

from __future__ import annotations

from typing import Any, cast

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import generics, permissions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from nexus.accounts import selectors, services
from nexus.accounts.models import Cohort, Profile, User
from nexus.core.api.rest import body_object, parse_input

# --- Serializers -------------------------------------------------------------


class CohortSerializer(serializers.ModelSerializer[Cohort]):
    class Meta:
        model = Cohort
        fields = ("slug", "name", "description", "starts_on", "ends_on")


class CohortRefSerializer(serializers.ModelSerializer[Cohort]):
    class Meta:
        model = Cohort
        fields = ("slug", "name")


class UserRefSerializer(serializers.Serializer[User]):
    """A person as content shows them: `{"username", "display_name"}`."""

    username = serializers.CharField(read_only=True)
    display_name = serializers.CharField(read_only=True)


class UserPublicSerializer(serializers.Serializer[User]):
    """A person as others see them; never the email."""

    username = serializers.CharField(read_only=True)
    display_name = serializers.CharField(read_only=True)
    role = serializers.CharField(read_only=True)
    bio = serializers.CharField(source="profile.bio", read_only=True)
    track = serializers.CharField(source="profile.track", read_only=True)
    cohort = CohortRefSerializer(source="profile.cohort", read_only=True, allow_null=True)
    skills = serializers.ListField(
        child=serializers.CharField(), source="profile.skills", read_only=True
    )
    github_handle = serializers.CharField(source="profile.github_handle", read_only=True)
    discord_handle = serializers.CharField(source="profile.discord_handle", read_only=True)
    reputation = serializers.IntegerField(
        source="profile.reputation", read_only=True, help_text="From votes and accepted solutions."
    )
    date_joined = serializers.DateTimeField(read_only=True)


class MeSerializer(UserPublicSerializer):
    """The signed-in user's own account, with the private fields."""

    email = serializers.EmailField(read_only=True)
    is_email_verified = serializers.BooleanField(read_only=True)
    is_staff = serializers.BooleanField(read_only=True)
    timezone = serializers.CharField(source="profile.timezone", read_only=True)


class MeUpdateSerializer(serializers.Serializer[Any]):
    """What `PATCH /me/` may change. Read-only fields of `me` are ignored."""

    display_name = serializers.CharField(required=False, allow_blank=True, max_length=80)
    bio = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    track = serializers.ChoiceField(choices=Profile.Track.choices, required=False)
    cohort = serializers.CharField(
        required=False, allow_null=True, help_text="A cohort slug, or null."
    )
    skills = serializers.ListField(child=serializers.CharField(max_length=40), required=False)
    github_handle = serializers.CharField(required=False, allow_blank=True, max_length=39)
    discord_handle = serializers.CharField(required=False, allow_blank=True, max_length=37)
    timezone = serializers.CharField(required=False, help_text="IANA name, e.g. Africa/Lagos.")


class RegisterSerializer(serializers.Serializer[Any]):
    email = serializers.CharField(max_length=254)
    username = serializers.CharField(max_length=30)
    password = serializers.CharField(write_only=True, trim_whitespace=False, max_length=128)


class TokenObtainSerializer(serializers.Serializer[Any]):
    email = serializers.CharField(max_length=254)
    password = serializers.CharField(write_only=True, trim_whitespace=False, max_length=128)


class RefreshSerializer(serializers.Serializer[Any]):
    refresh = serializers.CharField(max_length=2000)


class TokenPairSerializer(serializers.Serializer[Any]):
    access = serializers.CharField(help_text="Send as `Authorization: Bearer <access>`.")
    refresh = serializers.CharField(help_text="Exchange at /auth/token/refresh/; single use.")


# --- Views --------------------------------------------------------------------


class AuthView(APIView):
    permission_classes = (permissions.AllowAny,)
    throttle_scope = "auth"
    # Guessing passwords or mass-registering gets 429 with Retry-After.
    throttle_classes = (ScopedRateThrottle,)


class RegisterView(AuthView):
    @extend_schema(
        tags=["auth"],
        request=RegisterSerializer,
        responses={201: MeSerializer},
        summary="Create an account",
    )
    def post(self, request: Request) -> Response:
        data = parse_input(RegisterSerializer, request)
        user = services.user_register(**data)
        return Response(MeSerializer(user).data, status=status.HTTP_201_CREATED)


class TokenObtainView(AuthView):
    @extend_schema(
        tags=["auth"],
        request=TokenObtainSerializer,
        responses={200: TokenPairSerializer},
        summary="Obtain a JWT pair",
    )
    def post(self, request: Request) -> Response:
        data = parse_input(TokenObtainSerializer, request)
        pair = services.token_obtain(**data)
        return Response(TokenPairSerializer(pair).data)


class TokenRefreshView(AuthView):
    @extend_schema(
        tags=["auth"],
        request=RefreshSerializer,
        responses={200: TokenPairSerializer},
        summary="Rotate a refresh token",
        description="The refresh token sent is revoked; use the new pair from now on.",
    )
    def post(self, request: Request) -> Response:
        data = parse_input(RefreshSerializer, request)
        pair = services.token_refresh(refresh=data["refresh"])
        return Response(TokenPairSerializer(pair).data)


class LogoutView(AuthView):
    @extend_schema(
        tags=["auth"],
        request=RefreshSerializer,
        responses={204: None},
        summary="Log out (revoke a refresh token)",
    )
    def post(self, request: Request) -> Response:
        data = parse_input(RefreshSerializer, request)
        actor = request.user if request.user.is_authenticated else None
        services.token_revoke(refresh=data["refresh"], actor=actor)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(APIView):
    permission_classes = (permissions.IsAuthenticated,)

    @extend_schema(tags=["me"], responses={200: MeSerializer}, summary="My account")
    def get(self, request: Request) -> Response:
        return Response(MeSerializer(cast(User, request.user)).data)

    @extend_schema(
        tags=["me"],
        request=MeUpdateSerializer,
        responses={200: MeSerializer},
        summary="Edit my profile",
    )
    def patch(self, request: Request) -> Response:
        read_only = set(MeSerializer().fields) - set(MeUpdateSerializer().fields)
        changes = {k: v for k, v in body_object(request).items() if k not in read_only}
        user = services.profile_update(user=request.user, data=changes)  # type: ignore[arg-type]
        return Response(MeSerializer(user).data)


class UserDetailView(APIView):
    permission_classes = (permissions.AllowAny,)

    @extend_schema(tags=["users"], responses={200: UserPublicSerializer}, summary="A profile")
    def get(self, request: Request, username: str) -> Response:
        user = selectors.user_get_public(username=username)
        return Response(UserPublicSerializer(user).data)


class CohortListView(generics.ListAPIView[Cohort]):
    permission_classes = (permissions.AllowAny,)
    serializer_class = CohortSerializer
    ordering = ("slug",)
    ordering_fields = ("slug", "name", "starts_on")

    def get_queryset(self) -> Any:
        return selectors.cohort_list()

    @extend_schema(tags=["cohorts"], summary="Cohorts")
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


urlpatterns = [
    path("auth/register/", RegisterView.as_view(), name="auth-register"),
    path("auth/token/", TokenObtainView.as_view(), name="auth-token"),
    path("auth/token/refresh/", TokenRefreshView.as_view(), name="auth-token-refresh"),
    path("auth/logout/", LogoutView.as_view(), name="auth-logout"),
    path("me/", MeView.as_view(), name="me"),
    path("users/<str:username>/", UserDetailView.as_view(), name="user-detail"),
    path("cohorts/", CohortListView.as_view(), name="cohort-list"),
]
