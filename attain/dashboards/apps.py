from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "attain.dashboards"
    label = "dashboards"
