from django.db import migrations


class Migration(migrations.Migration):
    """The optimistic-lock counter is called lock_version everywhere; a
    revision is a document's number."""

    dependencies = [("congress", "0006_clean_control_characters")]

    operations = [
        migrations.RenameField("conference", "version", "lock_version"),
    ]
