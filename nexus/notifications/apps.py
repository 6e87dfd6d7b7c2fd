import contextlib

from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "nexus.notifications"
    label = "notifications"
    verbose_name = "Notifications and deliveries"

    def ready(self) -> None:
        from prometheus_client import REGISTRY

        from nexus.notifications.metrics import BackgroundWorkCollector

        # ready() may run more than once in tests: the registry refuses a second
        # collector of the same metric names, and the first one stays.
        with contextlib.suppress(ValueError):
            REGISTRY.register(BackgroundWorkCollector())
