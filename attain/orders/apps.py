from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "attain.orders"
    label = "orders"
