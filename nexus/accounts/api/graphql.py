"""GraphQL door of the accounts app: the same services and selectors as REST."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import strawberry
import strawberry_django
from strawberry.types import Info

from nexus.accounts import selectors, services
from nexus.accounts.models import Cohort, User
from nexus.core.graphql import PAGED, After, First, Page, page, request_user, signed_in
from nexus.core.pagination import PAGE_SIZE


@strawberry_django.type(Cohort, name="Cohort")
class CohortType:
    slug: str
    name: str
    description: str
    starts_on: date | None
    ends_on: date | None


@strawberry_django.type(User, name="User", description="A person as others see them.")
class UserType:
    username: str
    date_joined: datetime

    # `only` names every column the model property reads, so the optimizer
    # never defers one and loads it again per row.
    @strawberry_django.field(only=["username", "profile__display_name"], select_related=["profile"])
    def display_name(self, root: strawberry.Parent[User]) -> str:
        return root.display_name

    @strawberry_django.field(
        only=["is_staff", "is_superuser", "profile__role"], select_related=["profile"]
    )
    def role(self, root: strawberry.Parent[User]) -> str:
        return root.role

    @strawberry_django.field(select_related=["profile"])
    def bio(self, root: strawberry.Parent[User]) -> str:
        return root.profile.bio

    @strawberry_django.field(select_related=["profile"])
    def track(self, root: strawberry.Parent[User]) -> str:
        return root.profile.track

    @strawberry_django.field(select_related=["profile__cohort"])
    def cohort(self, root: strawberry.Parent[User]) -> CohortType | None:
        return root.profile.cohort  # type: ignore[return-value]

    @strawberry_django.field(select_related=["profile"])
    def skills(self, root: strawberry.Parent[User]) -> list[str]:
        return list(root.profile.skills)

    @strawberry_django.field(only=["profile__reputation"], select_related=["profile"])
    def reputation(self, root: strawberry.Parent[User]) -> int:
        return root.profile.reputation

    @strawberry_django.field(select_related=["profile"])
    def github_handle(self, root: strawberry.Parent[User]) -> str:
        return root.profile.github_handle

    @strawberry_django.field(select_related=["profile"])
    def discord_handle(self, root: strawberry.Parent[User]) -> str:
        return root.profile.discord_handle


@strawberry_django.type(User, name="Me", description="The signed-in user's own account.")
class MeType(UserType):
    email: str
    is_email_verified: bool
    is_staff: bool

    @strawberry_django.field(select_related=["profile"])
    def timezone(self, root: strawberry.Parent[User]) -> str:
        return root.profile.timezone


@strawberry.type
class TokenPair:
    access: str
    refresh: str


@strawberry.input
class RegisterInput:
    email: str
    username: str
    password: str


@strawberry.input(description="Fields left out are not changed.")
class UpdateMeInput:
    display_name: str | None = strawberry.UNSET
    bio: str | None = strawberry.UNSET
    track: str | None = strawberry.UNSET
    cohort: str | None = strawberry.UNSET
    skills: list[str] | None = strawberry.UNSET
    github_handle: str | None = strawberry.UNSET
    discord_handle: str | None = strawberry.UNSET
    timezone: str | None = strawberry.UNSET


@strawberry.type
class Query:
    @strawberry.field(description="The signed-in user, or null when signed out.")
    def me(self, info: Info[Any, Any]) -> MeType | None:
        user = request_user(info)
        return user if user.is_authenticated else None

    @strawberry.field(description="A public profile by handle.")
    def user(self, username: str) -> UserType:
        return selectors.user_get_public(username=username)  # type: ignore[return-value]

    @strawberry.field(description=f"Cohorts by slug. {PAGED}")
    def cohorts(self, first: First = PAGE_SIZE, after: After = None) -> Page[CohortType]:
        return page(selectors.cohort_list(), ordering=("slug",), first=first, after=after)


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Create an account.")
    def register(self, input: RegisterInput) -> MeType:
        user = services.user_register(
            email=input.email, username=input.username, password=input.password
        )
        return user  # type: ignore[return-value]

    @strawberry.mutation(description="Exchange email and password for a JWT pair.")
    def obtain_token(self, email: str, password: str) -> TokenPair:
        pair = services.token_obtain(email=email, password=password)
        return TokenPair(access=pair.access, refresh=pair.refresh)

    @strawberry.mutation(description="Rotate a refresh token; the one sent is revoked.")
    def refresh_token(self, refresh: str) -> TokenPair:
        pair = services.token_refresh(refresh=refresh)
        return TokenPair(access=pair.access, refresh=pair.refresh)

    @strawberry.mutation(description="Log out: revoke a refresh token.")
    def logout(self, info: Info[Any, Any], refresh: str) -> bool:
        user = request_user(info)
        services.token_revoke(refresh=refresh, actor=user if user.is_authenticated else None)
        return True

    @strawberry.mutation(description="Edit my profile.")
    def update_me(self, info: Info[Any, Any], input: UpdateMeInput) -> MeType:
        user = signed_in(info)
        changes = {
            key: value for key, value in vars(input).items() if value is not strawberry.UNSET
        }
        return services.profile_update(user=user, data=changes)  # type: ignore[return-value]
