from django.apps import AppConfig


class GoalsConfig(AppConfig):
    name = "attain.goals"
    label = "goals"
