"""The imports of assigned ids become ``core.ImportRun`` rows (kind ``exchange_ids``), step 1 of 3:
``ExternalId`` gets a link to the run beside its link to the old ``IdImport`` (0003 moves the rows,
0004 drops the old table). Three migrations, so that on PostgreSQL no table is altered in the
transaction that moves its rows."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0003_import_run_options'),
        ('exchange', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='externalid',
            name='import_run',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='external_ids', to='core.importrun', verbose_name='import of assigned ids'),
        ),
    ]
