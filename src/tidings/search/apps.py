from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "tidings.search"
    label = "search"
    verbose_name = "Search"
