"""Step 3 of 3: ``ExternalId.id_import`` names the ``ImportRun``; the ``IdImport`` table goes."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('exchange', '0003_id_imports_to_import_runs'),
    ]

    operations = [
        migrations.RemoveField(
            model_name='externalid',
            name='id_import',
        ),
        migrations.RenameField(
            model_name='externalid',
            old_name='import_run',
            new_name='id_import',
        ),
        migrations.DeleteModel(
            name='IdImport',
        ),
    ]
