from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "attain.dashboards"
    label = "dashboards"

    def ready(self) -> None:
        # The dashboards sit above the API app (they compose goals and analytics), so they mount
        # their own router on the API instead of being imported by it.
        from attain.api.api import api
        from attain.dashboards.api import router

        if not any(prefix == "/dashboards" for prefix, _r in api._routers):
            api.add_router("/dashboards", router)
