from django.apps import AppConfig


class RankingConfig(AppConfig):
    name = "tidings.ranking"
    label = "ranking"
    verbose_name = "Ranking"
