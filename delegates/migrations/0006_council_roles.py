"""Issue 10: council membership becomes a role on a named council (VSS's or a
province's). Every former member becomes a member ("Ủy viên") of their
branch's council: their province's, or VSS's for VSS and the HQ bloc."""

import django.db.models.deletion
from django.db import migrations, models


def _branch_council(unit, units_by_path):
    """The council a unit's people sit on by default (see
    ``delegates.people.council_of``), from paths alone."""
    parts = unit.path.strip("/").split("/")
    root = units_by_path.get((unit.hierarchy_id, f"/{parts[0]}/"))
    if len(parts) == 1:
        return root
    branch = units_by_path.get((unit.hierarchy_id, f"/{parts[0]}/{parts[1]}/"))
    if branch is None or branch.kind == "hq_bloc":
        return root
    return branch


def members_to_roles(apps, schema_editor):
    Person = apps.get_model("delegates", "Person")
    Unit = apps.get_model("units", "Unit")
    members = Person.objects.filter(is_council_member=True)
    unit_ids = set(members.values_list("unit_id", flat=True).distinct())
    if not unit_ids:
        return
    units = list(Unit.objects.filter(pk__in=unit_ids))
    wanted = set()
    for unit in units:
        parts = unit.path.strip("/").split("/")
        wanted.add((unit.hierarchy_id, f"/{parts[0]}/"))
        if len(parts) > 1:
            wanted.add((unit.hierarchy_id, f"/{parts[0]}/{parts[1]}/"))
    paths = {path for _hierarchy, path in wanted}
    units_by_path = {(u.hierarchy_id, u.path): u for u in Unit.objects.filter(path__in=paths)}
    by_council: dict[int, list[int]] = {}
    for unit in units:
        council = _branch_council(unit, units_by_path)
        if council is not None:
            by_council.setdefault(council.pk, []).append(unit.pk)
    for council_id, member_units in by_council.items():
        members.filter(unit_id__in=member_units).update(
            council_role="member", council_unit_id=council_id
        )
    if schema_editor.connection.vendor == "postgresql":
        # The new foreign key is checked at commit: check it now, or the
        # ALTER TABLE below would meet "pending trigger events".
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def roles_to_members(apps, schema_editor):
    Person = apps.get_model("delegates", "Person")
    Person.objects.exclude(council_role="").update(is_council_member=True)


class Migration(migrations.Migration):

    dependencies = [
        ("delegates", "0005_bound_elections_and_composition"),
        ("units", "0005_unit_name_key"),
    ]

    operations = [
        migrations.AddField(
            model_name="person",
            name="council_role",
            field=models.CharField(
                blank=True,
                choices=[
                    ("chair", "Chair"),
                    ("standing", "Standing member"),
                    ("secretary", "Secretary"),
                    ("member", "Member"),
                ],
                max_length=16,
                verbose_name="role on the Emulation & Reward Council",
            ),
        ),
        migrations.AddField(
            model_name="person",
            name="council_unit",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="council_members",
                to="units.unit",
                verbose_name="council of",
            ),
        ),
        migrations.RunPython(members_to_roles, roles_to_members),
        migrations.RemoveField(
            model_name="person",
            name="is_council_member",
        ),
        migrations.AddConstraint(
            model_name="person",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("council_role", ""), ("council_unit__isnull", True)),
                    models.Q(
                        models.Q(("council_role", ""), _negated=True),
                        ("council_unit__isnull", False),
                    ),
                    _connector="OR",
                ),
                name="delegates_person_council_role_has_council",
            ),
        ),
    ]
