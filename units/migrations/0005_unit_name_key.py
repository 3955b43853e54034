"""Units carry their name in Vietnamese dictionary order, for the database to sort by."""

from django.db import migrations, models


def fill_name_keys(apps, schema_editor):
    from units.collation import name_key

    Unit = apps.get_model("units", "Unit")
    units = list(Unit.objects.only("pk", "name"))
    for unit in units:
        unit.name_key = name_key(unit.name)
    Unit.objects.bulk_update(units, ["name_key"], batch_size=1000)


class Migration(migrations.Migration):

    dependencies = [
        ('units', '0004_cluster'),
    ]

    operations = [
        migrations.AddField(
            model_name='unit',
            name='name_key',
            field=models.TextField(default='', editable=False),
        ),
        migrations.RunPython(fill_name_keys, migrations.RunPython.noop),
    ]
