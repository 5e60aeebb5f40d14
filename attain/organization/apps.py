from django.apps import AppConfig


class OrganizationConfig(AppConfig):
    name = "attain.organization"
    label = "organization"

    def ready(self) -> None:
        from attain.core.visibility import register_scope_resolver
        from attain.organization.visibility import compute_scope

        register_scope_resolver(compute_scope)
