from django.apps import AppConfig


class JourneysConfig(AppConfig):
    name = "nexus.journeys"
    label = "journeys"
    verbose_name = "Learning journeys"
