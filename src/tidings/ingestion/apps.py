from django.apps import AppConfig


class IngestionConfig(AppConfig):
    name = "tidings.ingestion"
    label = "ingestion"
    verbose_name = "Ingestion"
