"""Units belong to a hierarchy, no longer to a cycle."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("units", "0002_hierarchy"),
        ("congress", "0004_cycle_hierarchy_required"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="unit", name="units_unit_code_unique_in_cycle"),
        migrations.RemoveConstraint(model_name="unit", name="units_unit_path_unique_in_cycle"),
        migrations.RemoveIndex(model_name="unit", name="units_unit_cycle_kind"),
        migrations.RemoveIndex(model_name="unit", name="units_unit_cycle_branch"),
        migrations.RemoveField(model_name="unit", name="cycle"),
        migrations.AlterField(
            model_name="unit",
            name="hierarchy",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="units",
                to="units.hierarchy",
                verbose_name="hierarchy",
            ),
        ),
        migrations.AlterField(
            model_name="unit",
            name="kind",
            field=models.CharField(
                choices=[
                    ("vss", "Vietnam Social Security"),
                    ("province", "Province social security"),
                    ("district", "District social security"),
                    ("province_department", "Province department"),
                    ("hq_bloc", "VSS headquarters bloc"),
                    ("vss_office", "Advisory body of VSS"),
                    ("vss_service", "Public service unit of VSS"),
                    ("sector", "Sector social security"),
                    ("grassroots_office", "Grassroots social security office"),
                ],
                max_length=32,
                verbose_name="kind",
            ),
        ),
        migrations.AddIndex(
            model_name="unit",
            index=models.Index(fields=["hierarchy", "kind"], name="units_unit_hierarchy_kind"),
        ),
        migrations.AddIndex(
            model_name="unit",
            index=models.Index(fields=["hierarchy", "branch_code"], name="units_unit_hierarchy_branch"),
        ),
        migrations.AddConstraint(
            model_name="unit",
            constraint=models.UniqueConstraint(
                fields=("hierarchy", "code"), name="units_unit_code_unique_in_hierarchy"
            ),
        ),
        migrations.AddConstraint(
            model_name="unit",
            constraint=models.UniqueConstraint(
                fields=("hierarchy", "path"), name="units_unit_path_unique_in_hierarchy"
            ),
        ),
    ]
