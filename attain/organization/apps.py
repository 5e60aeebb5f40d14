from django.apps import AppConfig


class OrganizationConfig(AppConfig):
    name = "attain.organization"
    label = "organization"
