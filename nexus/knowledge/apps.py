from django.apps import AppConfig


class KnowledgeConfig(AppConfig):
    name = "nexus.knowledge"
    label = "knowledge"
    verbose_name = "Reference guide"
