from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "attain.imports"
    label = "imports"
    verbose_name = "Imports"
