from django.apps import AppConfig


class GoalsConfig(AppConfig):
    name = "attain.goals"
    label = "goals"

    def ready(self) -> None:
        from attain.core.facts import register_fact_handler, register_range_handler
        from attain.goals.services import (
            FACT_SOURCES,
            goals_reached_handler,
            goals_reached_range_handler,
        )

        # after the analytics handlers (that app loads first): the goals read the fresh rollups
        for kind in FACT_SOURCES:
            register_fact_handler(kind, goals_reached_handler(kind))
            register_range_handler(kind, goals_reached_range_handler(kind))
