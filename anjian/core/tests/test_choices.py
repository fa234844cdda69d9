"""Choice labels follow the active language, as get_FOO_display does."""

from django.utils import translation

from anjian.core.choices import choice_label
from anjian.units.models import UnitStatus


def test_the_label_follows_the_active_language():
    with translation.override("zh-hans"):
        chinese = choice_label(UnitStatus, "operating")
    with translation.override("en"):
        english = choice_label(UnitStatus, "operating")
    assert english == "Operating"
    assert chinese == "正常经营"


def test_an_unknown_value_is_shown_as_it_is():
    assert choice_label(UnitStatus, "gone") == "gone"
    assert choice_label(UnitStatus, "") == ""
