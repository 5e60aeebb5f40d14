from django.apps import AppConfig


class IncentivesConfig(AppConfig):
    name = "attain.incentives"
    label = "incentives"

    def ready(self) -> None:
        from attain.core.facts import register_fact_handler, register_range_handler
        from attain.incentives.services import order_lines_removing, orders_changed, orders_loaded

        # a calculated draft run follows the orders it pays on (run_refresh)
        register_fact_handler("order", orders_changed)
        register_fact_handler("order_line", order_lines_removing)
        register_range_handler("order", orders_loaded)
