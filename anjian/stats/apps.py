from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatsConfig(AppConfig):
    name = "anjian.stats"
    label = "stats"
    verbose_name = _("Statistics")

    def ready(self) -> None:
        # The further sections (cases, penalties, campaigns, the plan) register themselves with
        # figures.register_section on import (imported here: figures does not import them back).
        from anjian.stats import sections_enforcement  # noqa: F401
