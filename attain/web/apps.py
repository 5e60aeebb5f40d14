from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "attain.web"
    label = "web"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from attain.web.context_processors import remember_navigation

        # The menu's permission flags are figured once at sign-in and kept in the session.
        user_logged_in.connect(remember_navigation, dispatch_uid="attain.web.remember_navigation")
