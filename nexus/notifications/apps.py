from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "nexus.notifications"
    label = "notifications"
    verbose_name = "Notifications and deliveries"
