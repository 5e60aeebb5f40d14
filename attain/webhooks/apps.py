from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "attain.webhooks"
    label = "webhooks"
    verbose_name = "Webhooks"

    def ready(self) -> None:
        from attain.core.events import register_event_listener
        from attain.webhooks.services import webhook_deliveries_enqueue

        register_event_listener(webhook_deliveries_enqueue)
