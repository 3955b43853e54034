"""The rules between tiers: exemptions, acceptances before the pilots, corrections, plausibility and balance settings."""

import django.db.models.deletion
import django.utils.timezone
from decimal import Decimal
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('congress', '0004_cycle_hierarchy_required'),
        ('units', '0004_cluster'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='conference',
            name='order_accepted_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='conference',
            name='order_accepted_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='accepted before the pilots by'),
        ),
        migrations.AddField(
            model_name='conference',
            name='order_accepted_reason',
            field=models.TextField(blank=True, verbose_name='why it may come before the pilot units'),
        ),
        migrations.AddField(
            model_name='conference',
            name='unusual_figures_reason',
            field=models.TextField(blank=True, verbose_name='why the unusual figures are right'),
        ),
        migrations.AddField(
            model_name='conferencetransition',
            name='changes',
            field=models.JSONField(blank=True, default=dict, verbose_name='changes'),
        ),
        migrations.AddField(
            model_name='cycle',
            name='attendance_headcount_multiple',
            field=models.DecimalField(decimal_places=2, default=Decimal('1.00'), help_text="Attendance above this multiple of the unit's staff must be confirmed.", max_digits=4, verbose_name='plausible attendance, as a multiple of the headcount'),
        ),
        migrations.AddField(
            model_name='cycle',
            name='balance_targets',
            field=models.JSONField(blank=True, default=dict, help_text='Shares in %, e.g. {"levels": {"district": 60}, "fields": {"collection": 20}}; a level or field left out is compared with its share of the sector\'s staff.', verbose_name='balance targets'),
        ),
        migrations.AddField(
            model_name='cycle',
            name='balance_tolerance_points',
            field=models.PositiveSmallIntegerField(default=10, help_text='A level or field whose share of the elected differs more is warned of.', verbose_name='balance tolerance (percentage points)'),
        ),
        migrations.AlterField(
            model_name='conferencetransition',
            name='action',
            field=models.CharField(choices=[('register', 'Registered'), ('submit', 'Submitted to the council'), ('accept', 'Accepted'), ('return', 'Returned for changes'), ('reopen', 'Reopened for changes'), ('hold', 'Recorded as held'), ('close', 'Closed'), ('correct', 'Corrected'), ('accept_order', 'Accepted before the pilot units')], max_length=16, verbose_name='action'),
        ),
        migrations.CreateModel(
            name='TierExemption',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('reason', models.TextField(verbose_name='reason')),
                ('recorded_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='recorded at')),
                ('recorded_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('tier', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='exemptions', to='congress.tier', verbose_name='tier')),
                ('unit', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='exemptions', to='units.unit', verbose_name='unit')),
            ],
            options={
                'verbose_name': 'exemption',
                'verbose_name_plural': 'exemptions',
                'constraints': [models.UniqueConstraint(fields=('tier', 'unit'), name='congress_exemption_once')],
            },
        ),
    ]
