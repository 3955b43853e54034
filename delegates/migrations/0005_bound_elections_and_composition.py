"""Issue 10: elections bound to their allocation, conferences with their own composition, the outstanding-exemplar mark."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def bind_confirmed_elections(apps, schema_editor):
    """A confirmed election was bound by the allocation approved for the
    conference above when it was confirmed: the latest approved version
    reviewed by then."""
    Allocation = apps.get_model("delegates", "Allocation")
    Election = apps.get_model("delegates", "Election")
    for election in Election.objects.filter(status="confirmed", allocation=None):
        approved = Allocation.objects.filter(conference_id=election.target_id, status="approved")
        if election.confirmed_at is not None:
            approved = approved.filter(reviewed_at__lte=election.confirmed_at)
        election.allocation = approved.order_by("-version").first()
        if election.allocation is not None:
            election.save(update_fields=["allocation"])


class Migration(migrations.Migration):

    dependencies = [
        ('congress', '0005_tiers_in_order'),
        ('delegates', '0004_person_carried_from'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='election',
            name='allocation',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='bound_elections', to='delegates.allocation', verbose_name='allocation that bound it'),
        ),
        migrations.AddField(
            model_name='person',
            name='exemplar_reason',
            field=models.TextField(blank=True, help_text='Fill in to mark the person as an exemplar with outstanding achievements.', verbose_name='outstanding exemplar: why'),
        ),
        migrations.CreateModel(
            name='CompositionRules',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('categories', models.JSONField(default=list, help_text='Values of Category; empty: all three.', verbose_name='categories of delegates')),
                ('official_lines', models.JSONField(default=list, help_text="Keys of the official-delegate lines that give a seat; empty: the tier's.", verbose_name='lines of the official list')),
                ('cap', models.PositiveIntegerField(blank=True, help_text="Empty: the tier's.", null=True, verbose_name='maximum attendance')),
                ('cap_counts_guests', models.BooleanField(blank=True, null=True, verbose_name='guests count towards the maximum')),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('conference', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='composition_rules', to='congress.conference')),
                ('updated_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'composition of a conference',
                'verbose_name_plural': 'compositions of conferences',
            },
        ),
        migrations.RunPython(bind_confirmed_elections, migrations.RunPython.noop),
    ]
