from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "attain.notifications"
    label = "notifications"
    verbose_name = "Notifications"
