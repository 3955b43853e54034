"""URLs of the people register, included as ``people:`` by congress/urls.py."""

from django.urls import path

from delegates.views import people

people_patterns = [
    path("", people.PersonListView.as_view(), name="person_list"),
    path("add/", people.PersonCreateView.as_view(), name="person_add"),
    path("import/", people.PeopleImportView.as_view(), name="people_import"),
    path("carry/", people.RegisterCarryView.as_view(), name="register_carry"),
    path("template.xlsx", people.PeopleTemplateView.as_view(), name="people_template"),
    path("<int:pk>/", people.PersonDetailView.as_view(), name="person_detail"),
    path("<int:pk>/edit/", people.PersonEditView.as_view(), name="person_edit"),
    path("<int:pk>/titles/", people.PersonTitlesView.as_view(), name="person_titles"),
    path("<int:pk>/status/", people.PersonStatusView.as_view(), name="person_status"),
]
