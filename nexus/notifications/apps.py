from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "nexus.notifications"
    label = "notifications"
    verbose_name = "Notifications and deliveries"

    def ready(self) -> None:
        from prometheus_client import REGISTRY

        from nexus.notifications.metrics import BackgroundWorkCollector

        # ready() may run more than once in tests; register the collector once.
        if not any(isinstance(c, BackgroundWorkCollector) for c in REGISTRY._collector_to_names):
            REGISTRY.register(BackgroundWorkCollector())
