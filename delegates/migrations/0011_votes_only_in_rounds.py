"""The votes and valid ballots live in the rounds only (moved there by
0010)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("delegates", "0010_election_rounds"),
    ]

    operations = [
        migrations.RemoveField(model_name="candidate", name="votes"),
        migrations.RemoveField(model_name="election", name="valid_ballots"),
    ]
