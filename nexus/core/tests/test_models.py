"""`FastLoadedModel.from_db` builds the instances Django's `from_db` would."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import models
from django.db.models.signals import post_init

from nexus.accounts.models import User
from nexus.challenges import services as challenge_services
from nexus.challenges.models import Challenge

pytestmark = pytest.mark.django_db


@pytest.fixture
def challenge(user_factory: Any) -> Challenge:
    return challenge_services.challenge_create(
        actor=user_factory(), data={"title": "Celery tasks fail", "body": "It dies."}
    )


def as_django_loads(model: type[models.Model], names: list[str], values: list[Any]) -> Any:
    return models.Model.from_db.__func__(model, "default", names, values)  # type: ignore[attr-defined]


def state(instance: Any) -> dict[str, Any]:
    fields = {key: value for key, value in vars(instance).items() if key != "_state"}
    return {"fields": fields, "adding": instance._state.adding, "db": instance._state.db}


@pytest.mark.parametrize("model", [Challenge, User])
def test_a_whole_row_loads_as_django_loads_it(model: type[models.Model], challenge: Challenge):
    row = model._default_manager.filter(pk=challenge.author_id if model is User else challenge.pk)
    names = [field.attname for field in model._meta.concrete_fields]
    values = list(row.values_list(*names).get())

    loaded = model.from_db("default", names, values)

    assert state(loaded) == state(as_django_loads(model, names, values))
    assert loaded == row.get()


def test_a_deferred_field_stays_deferred_and_loads_when_read(challenge: Challenge):
    loaded = Challenge.objects.only("title").get(pk=challenge.pk)

    assert loaded.get_deferred_fields() == {
        field.attname for field in Challenge._meta.concrete_fields
    } - {"id", "title"}
    assert state(loaded) == state(
        as_django_loads(Challenge, ["id", "title"], [loaded.pk, loaded.title])
    )
    assert loaded.body == "It dies."  # read from the database on first access


def test_related_rows_load_through_it_and_save_back(challenge: Challenge):
    loaded = Challenge.objects.select_related("author__profile").get(pk=challenge.pk)

    assert loaded.author.profile.user_id == loaded.author_id
    loaded.title = "Celery tasks fail after ten minutes"
    loaded.save(update_fields=["title"])
    assert Challenge.objects.get(pk=challenge.pk).title == "Celery tasks fail after ten minutes"


def test_an_init_signal_receiver_sees_every_loaded_instance(challenge: Challenge):
    seen: list[Any] = []

    def receiver(sender: Any, instance: Any, **kwargs: Any) -> None:
        seen.append(instance.pk)

    post_init.connect(receiver, sender=Challenge)
    try:
        Challenge.objects.get(pk=challenge.pk)
    finally:
        post_init.disconnect(receiver, sender=Challenge)

    assert seen == [challenge.pk]


def test_without_receivers_a_loaded_row_skips_init(
    challenge: Challenge, monkeypatch: pytest.MonkeyPatch
):
    calls: list[Any] = []
    real_init = models.Model.__init__

    def counted(self: Any, *args: Any, **kwargs: Any) -> None:
        calls.append(type(self))
        real_init(self, *args, **kwargs)

    monkeypatch.setattr(models.Model, "__init__", counted)

    loaded = Challenge.objects.select_related("author").get(pk=challenge.pk)

    assert calls == []
    assert loaded.author.pk == challenge.author_id
