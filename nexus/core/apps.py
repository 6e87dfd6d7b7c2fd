from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "nexus.core"
    label = "core"
    verbose_name = "Core"
