from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HazardsConfig(AppConfig):
    name = "anjian.hazards"
    label = "hazards"
    verbose_name = _("Hazards")

    def ready(self) -> None:
        # The units app asks for hazard counts and relocks a moving unit's hazards through these
        # (units.hooks): units sits below hazards and imports nothing of it.
        from anjian.hazards.selectors import unit_hazard_history, unit_hazards_tab
        from anjian.hazards.services import hazards_follow_unit, hazards_lock_of_unit
        from anjian.units import hooks

        hooks.register_hazard_history(unit_hazard_history)
        hooks.register_unit_move(moving=hazards_lock_of_unit, moved=hazards_follow_unit)
        hooks.register_unit_tab("hazards", unit_hazards_tab)
