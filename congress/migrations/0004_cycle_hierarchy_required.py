"""Every cycle runs on a hierarchy."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("congress", "0003_cycle_hierarchy"),
    ]

    operations = [
        migrations.AlterField(
            model_name="cycle",
            name="hierarchy",
            field=models.ForeignKey(
                help_text="The tree of units the cycle runs on; two cycles may share one.",
                on_delete=django.db.models.deletion.PROTECT,
                related_name="cycles",
                to="units.hierarchy",
                verbose_name="hierarchy",
            ),
        ),
    ]
