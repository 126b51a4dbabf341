from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "tidings.web"
    label = "web"
    verbose_name = "Reader site"
