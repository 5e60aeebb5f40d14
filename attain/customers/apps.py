from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "attain.customers"
    label = "customers"
