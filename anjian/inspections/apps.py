from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InspectionsConfig(AppConfig):
    name = "anjian.inspections"
    label = "inspections"
    verbose_name = _("Inspections")

    def ready(self) -> None:
        # The unit page's inspections tab (units.hooks: units sits below inspections).
        from anjian.inspections.selectors import unit_inspections_tab
        from anjian.units import hooks

        hooks.register_unit_tab("inspections", unit_inspections_tab)
