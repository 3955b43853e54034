from django.urls import path

from . import views

app_name = "units"
urlpatterns = [
    path("", views.UnitListView.as_view(), name="unit_list"),
    path("tree/", views.UnitTreeView.as_view(), name="unit_tree"),
    path("<int:pk>/", views.UnitDetailView.as_view(), name="unit_detail"),
]
