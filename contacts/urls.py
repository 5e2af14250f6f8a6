"""Web pages of the contacts app: the Import page (the other pages live in crm/urls.py)."""

from django.urls import path

from . import views

urlpatterns = [
    path("import/", views.import_page, name="import"),
    path("import/jobs/<uuid:pk>/", views.import_job_status, name="import_job_status"),
]
