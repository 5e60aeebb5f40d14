from django.apps import AppConfig


class IncentivesConfig(AppConfig):
    name = "attain.incentives"
    label = "incentives"
