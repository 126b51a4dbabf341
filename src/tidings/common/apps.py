from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "tidings.common"
    label = "common"
    verbose_name = "Common"
