"""A cycle runs on a hierarchy: each cycle points to the one its units
moved into (a cycle without units gets an empty one). The column becomes
required in the next migration: PostgreSQL refuses to alter a table with
this transaction's trigger events pending."""

import django.db.models.deletion
from django.db import migrations, models


def point_cycles(apps, schema_editor):
    Cycle = apps.get_model("congress", "Cycle")
    Hierarchy = apps.get_model("units", "Hierarchy")
    Unit = apps.get_model("units", "Unit")
    for cycle in Cycle.objects.all():
        unit = Unit.objects.filter(cycle_id=cycle.pk).exclude(hierarchy=None).first()
        if unit is not None:
            cycle.hierarchy_id = unit.hierarchy_id
        else:
            cycle.hierarchy = Hierarchy.objects.create(
                name=f"BHXH Việt Nam, chu kỳ {cycle.number}",
                effective_from=f"{cycle.period_start_year}-01-01",
            )
        cycle.save(update_fields=["hierarchy"])


class Migration(migrations.Migration):
    dependencies = [
        ("congress", "0002_initial"),
        ("units", "0002_hierarchy"),
    ]

    operations = [
        migrations.AddField(
            model_name="cycle",
            name="hierarchy",
            field=models.ForeignKey(
                null=True,
                help_text="The tree of units the cycle runs on; two cycles may share one.",
                on_delete=django.db.models.deletion.PROTECT,
                related_name="cycles",
                to="units.hierarchy",
                verbose_name="hierarchy",
            ),
        ),
        migrations.AddField(
            model_name="cycle",
            name="is_demo",
            field=models.BooleanField(
                default=False,
                help_text="Figures copied for a demonstration, until the real guidance is entered.",
                verbose_name="demonstration",
            ),
        ),
        migrations.RunPython(point_cycles, migrations.RunPython.noop),
    ]
