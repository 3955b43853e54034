"""factory_boy factories for the domain; Faker's vi_VN gives real names."""

import datetime

import factory

from congress.models import Conference, Cycle, Tier
from delegates.models import Category, Delegate, Gender, Person, Rank
from delegates.names import sortable_name
from units.models import Hierarchy, Role, Unit, UnitKind, User
from units.text import fold


class HierarchyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Hierarchy
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"BHXH Việt Nam, cây thử {n}")
    effective_from = datetime.date(2019, 10, 1)


class CycleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cycle
        django_get_or_create = ["number"]

    hierarchy = factory.SubFactory(HierarchyFactory)
    number = factory.Sequence(lambda n: f"T{n}")
    name = factory.LazyAttribute(lambda o: f"Chu kỳ thi đua {o.number}")
    congress_name = factory.LazyAttribute(lambda o: f"Đại hội Thi đua {o.number}")
    period_start_year = 2016
    period_end_year = 2020
    is_current = False


class TierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tier

    cycle = factory.SubFactory(CycleFactory)
    level = 1
    name = factory.LazyAttribute(lambda o: f"Cấp {o.level}")
    organiser_kinds = factory.LazyFunction(lambda: [UnitKind.DISTRICT])
    window_start = datetime.date(2019, 10, 1)
    deadline = datetime.date(2020, 1, 30)


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    hierarchy = factory.LazyAttribute(
        lambda o: o.parent.hierarchy if o.parent else HierarchyFactory()
    )
    parent = None
    kind = UnitKind.DISTRICT
    code = factory.Sequence(lambda n: f"U{n:05d}")
    name = factory.Sequence(lambda n: f"BHXH huyện Thử Nghiệm {n}")
    headcount = 20


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Faker("name", locale="vi_VN")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.invalid")
    role = Role.OFFICER
    password = factory.PostGenerationMethodCall("set_password", "demo12345")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class ConferenceFactory(factory.django.DjangoModelFactory):
    """A registered conference; pass ``tier`` and ``unit`` of one cycle."""

    class Meta:
        model = Conference

    tier = factory.SubFactory(TierFactory)
    unit = factory.SubFactory(UnitFactory)
    status = Conference.Status.DRAFT
    date = factory.LazyAttribute(lambda o: o.tier.window_start + datetime.timedelta(days=30))
    start_time = datetime.time(8, 0)
    venue = "Hội trường"
    length = "half_day"
    expected_attendance = 30
    created_by = factory.SubFactory(UserFactory, role=Role.ADMIN, unit=None)


class PersonFactory(factory.django.DjangoModelFactory):
    """A member of staff; Faker's vi_VN gives real Vietnamese names."""

    class Meta:
        model = Person

    unit = factory.SubFactory(UnitFactory)
    full_name = factory.Faker("name", locale="vi_VN")
    # What delegates.people.save_person keeps: the folded name the search uses.
    search_name = factory.LazyAttribute(lambda o: fold(o.full_name))
    name_key = factory.LazyAttribute(lambda o: sortable_name(o.full_name))
    gender = factory.Iterator([Gender.FEMALE, Gender.MALE])
    birth_year = factory.Sequence(lambda n: 1965 + n % 35)
    ethnicity = "Kinh"
    position = "Chuyên viên"
    rank = Rank.STAFF
    field_of_work = "collection"


class DelegateFactory(factory.django.DjangoModelFactory):
    """A delegate added directly (no cap check): for building fixtures."""

    class Meta:
        model = Delegate

    conference = factory.SubFactory(ConferenceFactory)
    category = Category.OFFICIAL
    person = factory.SubFactory(PersonFactory, unit=factory.SelfAttribute("..conference.unit"))
    unit = factory.LazyAttribute(lambda o: o.person.unit if o.person else None)
    added_by = factory.SubFactory(UserFactory, role=Role.ADMIN, unit=None)
