"""Hierarchies become data of their own: each cycle's units move into a
hierarchy named for it (cycle V's into "BHXH Việt Nam, 2019–2020")."""

import datetime

import django.db.models.deletion
from django.db import migrations, models


def hierarchy_name(cycle) -> str:
    # Cycle V's tree is the one the loader knows by this name.
    return "BHXH Việt Nam, 2019–2020" if cycle.number == "V" else f"BHXH Việt Nam, chu kỳ {cycle.number}"


def effective_from(cycle) -> datetime.date:
    return datetime.date(2019, 10, 1) if cycle.number == "V" else datetime.date(cycle.period_start_year, 1, 1)


def units_into_hierarchies(apps, schema_editor):
    Cycle = apps.get_model("congress", "Cycle")
    Hierarchy = apps.get_model("units", "Hierarchy")
    Unit = apps.get_model("units", "Unit")
    for cycle in Cycle.objects.filter(pk__in=Unit.objects.values("cycle_id")):
        hierarchy = Hierarchy.objects.create(
            name=hierarchy_name(cycle), effective_from=effective_from(cycle)
        )
        Unit.objects.filter(cycle_id=cycle.pk).update(hierarchy=hierarchy)


class Migration(migrations.Migration):
    dependencies = [
        ("units", "0001_initial"),
        ("congress", "0002_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="Hierarchy",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=255, unique=True, verbose_name="name")),
                ("effective_from", models.DateField(verbose_name="in effect from")),
                ("source", models.TextField(blank=True, help_text="The decisions that set this structure.", verbose_name="legal source")),
                (
                    "predecessor",
                    models.ForeignKey(
                        blank=True,
                        help_text="The hierarchy this one replaced: its units' predecessors lie there.",
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="successors",
                        to="units.hierarchy",
                        verbose_name="previous hierarchy",
                    ),
                ),
            ],
            options={
                "verbose_name": "hierarchy",
                "verbose_name_plural": "hierarchies",
                "ordering": ["-effective_from"],
            },
        ),
        migrations.AddField(
            model_name="unit",
            name="hierarchy",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="units",
                to="units.hierarchy",
                verbose_name="hierarchy",
            ),
        ),
        migrations.AddField(
            model_name="unit",
            name="predecessors",
            field=models.ManyToManyField(
                blank=True,
                help_text="The units of the previous hierarchy this unit took over.",
                related_name="successors",
                to="units.unit",
                verbose_name="predecessors",
            ),
        ),
        migrations.RunPython(units_into_hierarchies, migrations.RunPython.noop),
    ]
