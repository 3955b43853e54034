"""People carry their name in Vietnamese order (given name first), for the database to sort by."""

from django.db import migrations, models


def fill_name_keys(apps, schema_editor):
    from delegates.names import sortable_name

    Person = apps.get_model("delegates", "Person")
    people = list(Person.objects.only("pk", "full_name"))
    for person in people:
        person.name_key = sortable_name(person.full_name)
    Person.objects.bulk_update(people, ["name_key"], batch_size=1000)


class Migration(migrations.Migration):

    dependencies = [
        ('delegates', '0006_council_roles'),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='person',
            options={'ordering': ['unit__path', 'rank', 'name_key', 'pk'], 'verbose_name': 'person', 'verbose_name_plural': 'people'},
        ),
        migrations.AddField(
            model_name='person',
            name='name_key',
            field=models.TextField(default='', editable=False),
        ),
        migrations.RunPython(fill_name_keys, migrations.RunPython.noop),
    ]
