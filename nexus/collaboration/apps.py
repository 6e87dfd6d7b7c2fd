from django.apps import AppConfig


class CollaborationConfig(AppConfig):
    name = "nexus.collaboration"
    label = "collaboration"
    verbose_name = "Collaboration hub"

    def ready(self) -> None:
        from nexus.collaboration import notices

        notices.register()
