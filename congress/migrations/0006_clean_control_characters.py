"""Control characters the forms now refuse are removed from the stored
text users typed on conferences, papers and communication activities."""

from django.db import migrations


def clean(apps, schema_editor):
    from units.cleaning import clean_control_characters

    clean_control_characters(
        apps.get_model("congress", "Conference"),
        single_line=["venue"],
        multi_line=["note", "unusual_figures_reason", "order_accepted_reason"],
    )
    clean_control_characters(
        apps.get_model("congress", "Paper"), single_line=["title", "presenter_name"]
    )
    clean_control_characters(
        apps.get_model("congress", "CommunicationActivity"),
        single_line=["channel"],
        multi_line=["description"],
    )
    clean_control_characters(
        apps.get_model("congress", "ConferenceTransition"), multi_line=["reason"]
    )


class Migration(migrations.Migration):
    dependencies = [
        ("congress", "0005_tiers_in_order"),
    ]

    operations = [
        migrations.RunPython(clean, migrations.RunPython.noop),
    ]
