from django.urls import path

from . import views

app_name = "units"
urlpatterns = [
    path("", views.UnitListView.as_view(), name="unit_list"),
    path("tree/", views.UnitTreeView.as_view(), name="unit_tree"),
    path("clusters/", views.ClusterListView.as_view(), name="cluster_list"),
    path("import/", views.UnitImportView.as_view(), name="unit_import"),
    path("import/template.xlsx", views.UnitTemplateView.as_view(), name="unit_template"),
    path("export.xlsx", views.UnitExportView.as_view(), name="unit_export"),
    path("audit/", views.AuditLogView.as_view(), name="audit_log"),
    # ``<int:pk>/``, the unit's page, is served by the project's URLconf with
    # the conferences added (``congress.views.units``).
]

# The signed-in user's notices: ``notifications:``, included by the root URLconf.
notification_patterns = [
    path("", views.NotificationListView.as_view(), name="notification_list"),
    path("<int:pk>/open/", views.NotificationOpenView.as_view(), name="notification_open"),
    path("read-all/", views.NotificationReadAllView.as_view(), name="notification_read_all"),
    path("settings/", views.NotificationSettingsView.as_view(), name="notification_settings"),
]
