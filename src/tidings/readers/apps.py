from django.apps import AppConfig


class ReadersConfig(AppConfig):
    name = "tidings.readers"
    label = "readers"
    verbose_name = "Readers"
