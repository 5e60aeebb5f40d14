from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "attain.catalog"
    label = "catalog"
