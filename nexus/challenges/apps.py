from __future__ import annotations

from django.apps import AppConfig


class ChallengesConfig(AppConfig):
    name = "nexus.challenges"
    label = "challenges"
    verbose_name = "Challenges and solutions"

    def ready(self) -> None:
        from nexus.challenges import notices, services
        from nexus.core.middleware import on_cached_hit

        notices.register()
        # A challenge read from the cache is still a view.
        on_cached_hit(
            r"^/api/v1/challenges/(\d+)/$",
            lambda match: services.challenge_record_view(challenge_id=int(match.group(1))),
        )
