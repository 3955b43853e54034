"""Control characters the forms now refuse are removed from people's and
delegates' stored text (they broke the Excel exports)."""

from django.db import migrations


def clean(apps, schema_editor):
    from delegates.names import sortable_name
    from units.cleaning import clean_control_characters
    from units.text import fold

    def names(person):
        # The folded and the sortable name follow the cleaned full name.
        person.search_name = fold(person.full_name)
        person.name_key = sortable_name(person.full_name)
        return ["search_name", "name_key"]

    clean_control_characters(
        apps.get_model("delegates", "Person"),
        single_line=["full_name", "ethnicity", "position"],
        multi_line=["exemplar_reason"],
        also=names,
    )
    clean_control_characters(
        apps.get_model("delegates", "Delegate"),
        single_line=["guest_name", "guest_title", "guest_organisation", "note"],
    )


class Migration(migrations.Migration):
    dependencies = [
        ("delegates", "0007_person_name_key"),
    ]

    operations = [
        migrations.RunPython(clean, migrations.RunPython.noop),
    ]
