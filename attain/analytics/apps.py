from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AnalyticsConfig(AppConfig):
    name = "attain.analytics"
    label = "analytics"

    def ready(self) -> None:
        from attain.analytics.rollups import KEY_FINDERS, make_handler, orders_written_between
        from attain.core.facts import register_fact_handler, register_range_handler

        for kind in KEY_FINDERS:
            register_fact_handler(kind, make_handler(kind))
        register_range_handler("order", orders_written_between)
        post_migrate.connect(_rebuild_if_stale, sender=self)


def _rebuild_if_stale(using: str = "default", **kwargs: Any) -> None:
    """Rebuild the rollups once when they were built by an older definition (or never)."""
    from attain.analytics.rollups import ensure_current

    ensure_current(using=using)
