"""The specialised enterprise checklists (dust, ammonia, molten metal…) suit a unit by its
categories only: they no longer name the kind ``enterprise``, which offered them to every
enterprise (a machinery firm was offered the ammonia checklist). Shipped templates and the towns'
copies of them that still name exactly that kind are changed; anything a town chose is kept."""

from django.db import migrations

SPECIALISED = (
    "haz-chem-use",
    "confined-space",
    "combustible-dust",
    "spray-coating",
    "ammonia-refrigeration",
    "molten-metal",
)


def by_category_only(apps, schema_editor):
    Template = apps.get_model("inspections", "ChecklistTemplate")
    shipped = Template.objects.filter(region__isnull=True, code__in=SPECIALISED)
    rows = Template.objects.filter(pk__in=shipped.values("pk")) | Template.objects.filter(
        copied_from__in=shipped.values("pk")
    )
    for template in rows:
        if template.unit_kinds == ["enterprise"] and template.category_codes:
            template.unit_kinds = []
            template.save(update_fields=["unit_kinds"])


def by_kind_again(apps, schema_editor):
    Template = apps.get_model("inspections", "ChecklistTemplate")
    shipped = Template.objects.filter(region__isnull=True, code__in=SPECIALISED)
    for template in shipped:
        if not template.unit_kinds:
            template.unit_kinds = ["enterprise"]
            template.save(update_fields=["unit_kinds"])


class Migration(migrations.Migration):
    dependencies = [("inspections", "0003_result_location")]

    operations = [migrations.RunPython(by_category_only, by_kind_again)]
