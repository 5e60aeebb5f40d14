from django.apps import AppConfig


class RecognitionConfig(AppConfig):
    name = "attain.recognition"
    label = "recognition"
