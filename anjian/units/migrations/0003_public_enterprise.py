"""一企一码 and enterprise accounts: a stored QR token per unit (filled for existing units) and a
counter of wrong activation codes per invitation."""

from django.db import migrations, models

import anjian.units.models


def fill_qr_tokens(apps, schema_editor):
    Unit = apps.get_model("units", "Unit")
    for unit in Unit.objects.filter(qr_token__isnull=True).only("pk").iterator():
        Unit.objects.filter(pk=unit.pk).update(qr_token=anjian.units.models.new_qr_token())


class Migration(migrations.Migration):
    dependencies = [
        ("units", "0002_register"),
    ]

    operations = [
        migrations.AddField(
            model_name="invitation",
            name="failed_attempts",
            field=models.PositiveSmallIntegerField(
                default=0, editable=False, verbose_name="wrong codes entered"
            ),
        ),
        migrations.AddField(
            model_name="unit",
            name="qr_token",
            field=models.CharField(
                editable=False, max_length=32, null=True, verbose_name="QR code token"
            ),
        ),
        migrations.RunPython(fill_qr_tokens, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="unit",
            name="qr_token",
            field=models.CharField(
                default=anjian.units.models.new_qr_token,
                editable=False,
                max_length=32,
                unique=True,
                verbose_name="QR code token",
            ),
        ),
    ]
