"""API routes for imports, contact exports and job changes (included under /api/v1/)."""

from django.urls import path

from . import api_imports

urlpatterns = [
    path("imports/linkedin/", api_imports.LinkedInImportView.as_view(), name="api-import-linkedin"),
    path("imports/csv/", api_imports.CsvImportView.as_view(), name="api-import-csv"),
    path("imports/vcard/", api_imports.VcardImportView.as_view(), name="api-import-vcard"),
    path("imports/<uuid:pk>/", api_imports.ImportJobView.as_view(), name="api-import-job"),
    path("export/contacts.csv", api_imports.ContactsCsvExportView.as_view(), name="api-export-contacts-csv"),
    path("export/contacts.vcf", api_imports.ContactsVcfExportView.as_view(), name="api-export-contacts-vcf"),
    path("job-changes/", api_imports.JobChangeListView.as_view(), name="api-job-changes"),
    path(
        "job-changes/<int:pk>/acknowledge/",
        api_imports.JobChangeAcknowledgeView.as_view(),
        name="api-job-change-acknowledge",
    ),
]
