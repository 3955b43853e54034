"""Check-in at the door: a short unique code per delegate (filled for the
delegates already recorded), and when and by whom they were checked in."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import delegates.models


def fill_codes(apps, schema_editor):
    Delegate = apps.get_model("delegates", "Delegate")
    used = set()
    pending = []
    for delegate in Delegate.objects.only("pk").iterator():
        code = delegates.models.new_check_in_code()
        while code in used:
            code = delegates.models.new_check_in_code()
        used.add(code)
        delegate.check_in_code = code
        pending.append(delegate)
    Delegate.objects.bulk_update(pending, ["check_in_code"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("delegates", "0002_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="delegate",
            name="check_in_code",
            field=models.CharField(
                editable=False, max_length=6, null=True, verbose_name="check-in code"
            ),
        ),
        migrations.RunPython(fill_codes, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="delegate",
            name="check_in_code",
            field=models.CharField(
                default=delegates.models.new_check_in_code,
                editable=False,
                max_length=6,
                unique=True,
                verbose_name="check-in code",
            ),
        ),
        migrations.AddField(
            model_name="delegate",
            name="checked_in_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="checked in at"),
        ),
        migrations.AddField(
            model_name="delegate",
            name="checked_in_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
    ]
