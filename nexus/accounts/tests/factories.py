from __future__ import annotations

from typing import Any

import factory
from factory.django import DjangoModelFactory

from nexus.accounts.models import Cohort, Profile, User

DEFAULT_PASSWORD = "a-long-test-password-42"


class CohortFactory(DjangoModelFactory[Cohort]):
    class Meta:
        model = Cohort
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Cohort {n}")
    slug = factory.Sequence(lambda n: f"cohort-{n}")


class UserFactory(DjangoModelFactory[User]):
    """A user with a profile; `role`, `track`, `cohort` and `display_name` go to the profile."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    username = factory.Sequence(lambda n: f"person{n}")
    password = factory.django.Password(DEFAULT_PASSWORD)

    @classmethod
    def _create(cls, model_class: type[User], *args: Any, **kwargs: Any) -> User:
        profile_fields = {
            key: kwargs.pop(key)
            for key in ("role", "track", "cohort", "display_name", "bio", "skills")
            if key in kwargs
        }
        user = super()._create(model_class, *args, **kwargs)
        Profile.objects.create(user=user, **profile_fields)
        return User.objects.get(pk=user.pk)
