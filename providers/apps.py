from django.apps import AppConfig


class ProvidersConfig(AppConfig):
    name = "providers"
    verbose_name = "Provider catalog"

    def ready(self) -> None:
        from . import signals  # noqa: F401  (bumps the catalog version on every change)
