from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "attain.analytics"
    label = "analytics"
