"""Document jobs remember the cycle they were asked for in."""

import django.db.models.deletion
from django.db import migrations, models


def jobs_into_cycles(apps, schema_editor):
    """Each job asked for before cycles could share a hierarchy belongs to
    the cycle of its unit's hierarchy."""
    Cycle = apps.get_model("congress", "Cycle")
    DocumentJob = apps.get_model("reports", "DocumentJob")
    for cycle in Cycle.objects.all():
        DocumentJob.objects.filter(unit__hierarchy_id=cycle.hierarchy_id, cycle=None).update(
            cycle=cycle
        )


class Migration(migrations.Migration):

    dependencies = [
        ('congress', '0004_cycle_hierarchy_required'),
        ('reports', '0001_initial'),
        ('units', '0003_unit_hierarchy_required'),
    ]

    operations = [
        migrations.AddField(
            model_name='documentjob',
            name='cycle',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='congress.cycle'),
        ),
        migrations.RunPython(jobs_into_cycles, migrations.RunPython.noop),
    ]
