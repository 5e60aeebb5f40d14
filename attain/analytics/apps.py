from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "attain.analytics"
    label = "analytics"

    def ready(self) -> None:
        from attain.analytics.rollups import KEY_FINDERS, make_handler
        from attain.core.facts import register_fact_handler

        for kind in KEY_FINDERS:
            register_fact_handler(kind, make_handler(kind))
