"""/api/v1/: every app's API routes in one place."""

from django.urls import include, path

urlpatterns = [
    path("", include("contacts.import_urls")),
    path("", include("crm.backup_urls")),
]
