"""Elections in rounds: each election's votes so far become its round 1
(ballots issued and returned taken as its valid ballots, none invalid);
the columns they came from go in the next migration."""

import django.db.models.deletion
import django.db.models.expressions
from django.db import migrations, models


def votes_to_round_one(apps, schema_editor):
    Election = apps.get_model("delegates", "Election")
    ElectionRound = apps.get_model("delegates", "ElectionRound")
    RoundCandidate = apps.get_model("delegates", "RoundCandidate")
    Candidate = apps.get_model("delegates", "Candidate")
    for election in Election.objects.all().iterator():
        valid = election.valid_ballots
        first = ElectionRound.objects.create(
            election=election,
            number=1,
            ballots_issued=valid,
            ballots_returned=valid,
            valid_ballots=valid,
            invalid_ballots=0,
        )
        RoundCandidate.objects.bulk_create(
            RoundCandidate(round=first, candidate_id=pk, votes=votes)
            for pk, votes in Candidate.objects.filter(election=election).values_list("pk", "votes")
        )


def round_one_to_votes(apps, schema_editor):
    Election = apps.get_model("delegates", "Election")
    Candidate = apps.get_model("delegates", "Candidate")
    RoundCandidate = apps.get_model("delegates", "RoundCandidate")
    ElectionRound = apps.get_model("delegates", "ElectionRound")
    for first in ElectionRound.objects.filter(number=1).iterator():
        Election.objects.filter(pk=first.election_id).update(valid_ballots=first.valid_ballots)
    for candidate_id, votes in RoundCandidate.objects.filter(round__number=1).values_list(
        "candidate_id", "votes"
    ):
        Candidate.objects.filter(pk=candidate_id).update(votes=votes)


class Migration(migrations.Migration):
    dependencies = [
        ("delegates", "0009_allocation_withdrawal"),
    ]

    operations = [
        migrations.CreateModel(
            name="ElectionRound",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("number", models.PositiveSmallIntegerField(verbose_name="round")),
                (
                    "summoned",
                    models.PositiveIntegerField(
                        blank=True, null=True, verbose_name="delegates summoned"
                    ),
                ),
                (
                    "present",
                    models.PositiveIntegerField(
                        blank=True, null=True, verbose_name="delegates present"
                    ),
                ),
                ("present_from_check_in", models.BooleanField(default=False)),
                (
                    "ballots_issued",
                    models.PositiveIntegerField(default=0, verbose_name="ballots issued"),
                ),
                (
                    "ballots_returned",
                    models.PositiveIntegerField(default=0, verbose_name="ballots returned"),
                ),
                (
                    "valid_ballots",
                    models.PositiveIntegerField(default=0, verbose_name="valid ballots"),
                ),
                (
                    "invalid_ballots",
                    models.PositiveIntegerField(default=0, verbose_name="invalid ballots"),
                ),
                ("committee", models.TextField(blank=True, verbose_name="vote-counting committee")),
                (
                    "count_ended_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="count ended at"),
                ),
                ("opened_at", models.DateTimeField(auto_now_add=True, verbose_name="opened at")),
                (
                    "election",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="rounds",
                        to="delegates.election",
                    ),
                ),
            ],
            options={
                "verbose_name": "election round",
                "verbose_name_plural": "election rounds",
                "ordering": ["election", "number"],
            },
        ),
        migrations.CreateModel(
            name="RoundCandidate",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("votes", models.PositiveIntegerField(default=0, verbose_name="votes")),
                (
                    "candidate",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="rounds",
                        to="delegates.candidate",
                    ),
                ),
                (
                    "round",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="entries",
                        to="delegates.electionround",
                    ),
                ),
            ],
            options={
                "verbose_name": "candidate of a round",
                "verbose_name_plural": "candidates of a round",
            },
        ),
        migrations.AddConstraint(
            model_name="electionround",
            constraint=models.UniqueConstraint(
                fields=("election", "number"), name="delegates_election_round_once"
            ),
        ),
        migrations.AddConstraint(
            model_name="electionround",
            constraint=models.CheckConstraint(
                condition=models.Q(("number__gte", 1)), name="delegates_election_round_from_one"
            ),
        ),
        migrations.AddConstraint(
            model_name="electionround",
            constraint=models.CheckConstraint(
                condition=models.Q(("ballots_returned__lte", models.F("ballots_issued"))),
                name="delegates_election_round_returned_within_issued",
            ),
        ),
        migrations.AddConstraint(
            model_name="electionround",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    (
                        "ballots_returned",
                        django.db.models.expressions.CombinedExpression(
                            models.F("valid_ballots"), "+", models.F("invalid_ballots")
                        ),
                    )
                ),
                name="delegates_election_round_returned_valid_or_invalid",
            ),
        ),
        migrations.AddConstraint(
            model_name="roundcandidate",
            constraint=models.UniqueConstraint(
                fields=("round", "candidate"), name="delegates_round_candidate_once"
            ),
        ),
        migrations.RunPython(votes_to_round_one, round_one_to_votes),
    ]
