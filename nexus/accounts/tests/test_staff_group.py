from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from nexus.accounts.services import PROGRAMME_STAFF

pytestmark = pytest.mark.django_db


def _codenames(group: Group) -> set[str]:
    return {
        f"{app}.{codename}"
        for app, codename in group.permissions.values_list("content_type__app_label", "codename")
    }


def test_every_database_has_the_programme_staff_group_after_migrate():
    permissions = _codenames(Group.objects.get(name=PROGRAMME_STAFF))

    for granted in (
        "knowledge.add_tag",
        "knowledge.delete_technology",
        "challenges.change_challenge",
        "collaboration.change_channel",
        "notifications.change_webhook",
        "search.view_searchdocument",
        "accounts.view_user",
    ):
        assert granted in permissions, granted
    for withheld in ("accounts.change_user", "accounts.delete_user", "auth.change_group"):
        assert withheld not in permissions, withheld


def test_a_migrate_gives_the_group_back_what_was_taken_from_it():
    group = Group.objects.get(name=PROGRAMME_STAFF)
    group.permissions.clear()

    call_command("migrate", verbosity=0)

    assert "knowledge.add_tag" in _codenames(group)


def test_staff_added_to_the_group_edit_content_but_not_people(client, user_factory):
    staff = user_factory(is_staff=True)
    staff.groups.add(Group.objects.get(name=PROGRAMME_STAFF))
    client.force_login(staff)

    assert client.get("/admin/knowledge/tag/add/").status_code == 200
    assert client.get("/admin/challenges/challenge/").status_code == 200
    assert client.get("/admin/accounts/user/").status_code == 200
    assert client.get(f"/admin/accounts/user/{staff.pk}/delete/").status_code == 403
    assert client.get("/admin/auth/group/").status_code == 403


def test_a_migrate_of_the_replica_leaves_it_alone(settings, monkeypatch):
    from django.apps import apps

    from nexus.accounts import apps as accounts_apps
    from nexus.accounts import services

    settings.DATABASES = {**settings.DATABASES, "replica": settings.DATABASES["default"]}
    synced: list[str] = []
    monkeypatch.setattr(services, "sync_programme_staff_group", synced.append)
    knowledge = apps.get_app_config("knowledge")

    accounts_apps._sync_programme_staff(knowledge, using="replica")
    accounts_apps._sync_programme_staff(apps.get_app_config("auth"), using="default")
    accounts_apps._sync_programme_staff(knowledge, using="default")

    assert synced == ["default"]
