from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "attain.demo"
    label = "demo"
