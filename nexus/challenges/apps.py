from django.apps import AppConfig


class ChallengesConfig(AppConfig):
    name = "nexus.challenges"
    label = "challenges"
    verbose_name = "Challenges and solutions"
