"""GraphQL door of the notifications app: the same services and selectors as REST.

`notifications` returns a cursor page of the selector's queryset, which the
optimizer completes with whatever the query selects (the actor and their
profile), so a page costs a fixed number of SQL queries. Every field
here is about the signed-in user's own notifications and preferences.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry
import strawberry_django
from strawberry.types import Info

from nexus.accounts.api.graphql import UserType
from nexus.accounts.models import User
from nexus.core.graphql import PAGED, After, First, Page, page_reader, signed_in
from nexus.core.pagination import PAGE_SIZE
from nexus.notifications import selectors, services
from nexus.notifications.models import Notification

EMAIL_PLANS = ", ".join(Notification.EmailPlan.values)


# --- Types ------------------------------------------------------------------------------


@strawberry_django.type(
    Notification, name="Notification", description="Something that happened that concerns you."
)
class NotificationType:
    id: int
    kind: str = strawberry_django.field(
        description="solution_posted, solution_accepted, vote_milestone, comment_posted, "
        "mentioned, followed_activity, challenge_unanswered, …"
    )
    actor: UserType | None = strawberry_django.field(
        description="Who did it; null for milestones and reminders."
    )
    title: str
    excerpt: str
    target_type: str = strawberry_django.field(description="challenge, solution or comment.")
    target_id: int
    url: str = strawberry_django.field(description="API path of what it is about.")
    created_at: datetime

    @strawberry_django.field(only=["read_at"])
    def is_read(self, root: strawberry.Parent[Notification]) -> bool:
        return root.is_read


@strawberry.type(name="NotificationPage", description="A page of your notifications.")
class NotificationPageType(Page[NotificationType]):
    user: strawberry.Private[User]

    @strawberry.field(description="How many of all your notifications are unread.")
    def unread_count(self) -> int:
        return selectors.unread_count(user=self.user)


@strawberry.type(name="NotificationsMarked")
class NotificationsMarkedType:
    marked: int = strawberry.field(description="How many went from unread to read.")
    unread_count: int


@strawberry.type(
    name="NotificationPreference", description="How one kind of notification reaches you by email."
)
class NotificationPreferenceType:
    kind: str
    email: str = strawberry.field(description=EMAIL_PLANS)


# --- Inputs -----------------------------------------------------------------------------


@strawberry.input(name="NotificationPreferenceInput")
class NotificationPreferenceInput:
    kind: str
    email: str = strawberry.field(description=EMAIL_PLANS)


def _preferences(plans: dict[str, str]) -> list[NotificationPreferenceType]:
    return [NotificationPreferenceType(kind=kind, email=email) for kind, email in plans.items()]


# --- Queries ----------------------------------------------------------------------------


@strawberry.type
class Query:
    @strawberry.field(
        description="My notifications, newest first, with how many are unread. "
        f"`unread` and `kind` narrow them. {PAGED}"
    )
    def notifications(
        self,
        info: Info[Any, Any],
        unread: bool | None = None,
        kind: str | None = None,
        first: First = PAGE_SIZE,
        after: After = None,
    ) -> NotificationPageType:
        user = signed_in(info)
        filters: dict[str, str] = {}
        if unread is not None:
            filters["unread"] = "true" if unread else "false"
        if kind is not None:
            filters["kind"] = kind
        notifications = selectors.notification_list(user=user, filters=filters)
        reader = page_reader(notifications, ordering=("-created_at",), first=first, after=after)
        return NotificationPageType(reader=reader, user=user)

    @strawberry.field(description="My email preference for every kind, defaults filled in.")
    def notification_preferences(self, info: Info[Any, Any]) -> list[NotificationPreferenceType]:
        return _preferences(services.preferences_get(user=signed_in(info)))


# --- Mutations --------------------------------------------------------------------------


@strawberry.type
class Mutation:
    @strawberry.mutation(
        description="Mark notifications read: `ids` (all must be yours, else `not_found` and "
        "nothing changes) or `all: true`."
    )
    def mark_notifications_read(
        self, info: Info[Any, Any], ids: list[int] | None = None, all: bool | None = None
    ) -> NotificationsMarkedType:
        user = signed_in(info)
        data: dict[str, Any] = {}
        if ids is not None:
            data["ids"] = ids
        if all is not None:
            data["all"] = all
        marked = services.notifications_mark_read(user=user, data=data)
        return NotificationsMarkedType(
            marked=marked, unread_count=selectors.unread_count(user=user)
        )

    @strawberry.mutation(
        description="Set how kinds of notification reach you by email; returns every kind. "
        "In-app notifications always arrive. A bad kind or plan changes nothing."
    )
    def update_notification_preferences(
        self, info: Info[Any, Any], preferences: list[NotificationPreferenceInput]
    ) -> list[NotificationPreferenceType]:
        chosen = {preference.kind: preference.email for preference in preferences}
        return _preferences(services.preferences_update(user=signed_in(info), data=chosen))
