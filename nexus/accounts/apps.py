from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _sync_programme_staff(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    # Permissions are created app by app as each app's post_migrate is sent, so
    # the group is brought up to date after each of the hub's apps.
    from django.contrib.auth.models import Group
    from django.db import router

    # As Django's own permissions do: nothing is written where migrations don't run.
    if sender.name.startswith("nexus.") and router.allow_migrate_model(using, Group):
        from nexus.accounts.services import sync_programme_staff_group

        sync_programme_staff_group(using)


class AccountsConfig(AppConfig):
    name = "nexus.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        post_migrate.connect(_sync_programme_staff, dispatch_uid="nexus.accounts.programme_staff")
