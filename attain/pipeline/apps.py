from django.apps import AppConfig


class PipelineConfig(AppConfig):
    name = "attain.pipeline"
    label = "pipeline"
