"""Documents: ``reports:``, included under ``documents/``."""

from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.DocumentJobListView.as_view(), name="job_list"),
    path("ask/", views.DocumentRequestView.as_view(), name="job_create"),
    path("<int:pk>/", views.DocumentJobDetailView.as_view(), name="job_detail"),
    path("<int:pk>/download/", views.DocumentJobDownloadView.as_view(), name="job_download"),
    path("<slug:exporter>/download/", views.DocumentDownloadView.as_view(), name="download"),
]
