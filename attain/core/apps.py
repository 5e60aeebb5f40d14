from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "attain.core"
    label = "core"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from attain.core.middleware import remember_language

        # The preferred language is read once at sign-in and kept in the session (middleware.py).
        user_logged_in.connect(remember_language, dispatch_uid="attain.core.remember_language")
