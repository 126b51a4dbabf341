from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "tidings.billing"
    label = "billing"
    verbose_name = "Billing"
