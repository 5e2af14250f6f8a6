"""Top-level routes: the REST API, the calendar feed, one-click email links, the web dashboard."""

from django.contrib import admin
from django.urls import include, path

from config.health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("config.api_urls")),
    path("calendar/", include("outreach.calendar_urls")),
    path("email/", include("outreach.email_urls")),
    path("", include("contacts.urls")),
    path("", include("crm.urls")),
]
