"""The checklist templates shipped with anjian (``anjian.inspections.checklist_defaults``), each
with version 1 published. Loading is idempotent: templates already present are left alone."""

from django.db import migrations


def load(apps, schema_editor):
    from anjian.inspections.checklist_defaults import shipped_checklists_load

    shipped_checklists_load(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("inspections", "0001_checklists_and_inspections"),
    ]

    operations = [
        migrations.RunPython(load, migrations.RunPython.noop),
    ]
