from django.apps import AppConfig


class BackupsConfig(AppConfig):
    name = "attain.backups"
    label = "backups"
    verbose_name = "Backups"
