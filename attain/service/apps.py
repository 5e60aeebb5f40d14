from django.apps import AppConfig


class ServiceConfig(AppConfig):
    name = "attain.service"
    label = "service"
