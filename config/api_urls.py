"""/api/v1/: every app's API routes in one place."""

from django.http import JsonResponse
from django.urls import include, path, re_path, reverse_lazy
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from accounts.api import ApiTokenViewSet, CalendarTokenView, MailInTokenView, MeView, RegisterView, TokenView
from contacts.api import CompanyViewSet, ContactViewSet, TagViewSet
from crm.api import ContactBulkView, DashboardView, NoteViewSet, OpportunityViewSet
from outreach.api import (
    ConversationViewSet,
    FollowUpViewSet,
    MessageTemplateViewSet,
    PortfolioItemViewSet,
    QuestionViewSet,
    ReminderViewSet,
    TouchViewSet,
)


@csrf_exempt  # it changes nothing, and a CSRF failure page would hide the JSON 404
def not_found(request, *args, **kwargs):
    """Any other path under /api/v1/: a JSON 404 like the API's own, not the site's HTML page."""
    return JsonResponse({"detail": "Not found."}, status=404)


router = SimpleRouter()
router.register("contacts", ContactViewSet, basename="contact")
router.register("companies", CompanyViewSet, basename="company")
router.register("tags", TagViewSet, basename="tag")
router.register("conversations", ConversationViewSet, basename="conversation")
router.register("follow-ups", FollowUpViewSet, basename="follow-up")
router.register("notes", NoteViewSet, basename="note")
router.register("opportunities", OpportunityViewSet, basename="opportunity")
router.register("portfolio", PortfolioItemViewSet, basename="portfolio-item")
router.register("templates", MessageTemplateViewSet, basename="template")
router.register("reminders", ReminderViewSet, basename="reminder")
router.register("touches", TouchViewSet, basename="touch")
router.register("questions", QuestionViewSet, basename="question")
router.register("auth/tokens", ApiTokenViewSet, basename="api-token")

urlpatterns = [
    path("auth/register/", RegisterView.as_view(), name="api-register"),
    path("auth/token/", TokenView.as_view(), name="api-token-create"),
    path("me/", MeView.as_view(), name="api-me"),
    path("me/calendar-token/", CalendarTokenView.as_view(), name="api-calendar-token"),
    path("me/mail-in-token/", MailInTokenView.as_view(), name="api-mail-in-token"),
    path("dashboard/", DashboardView.as_view(), name="api-dashboard"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's start-up script as a file (docs/?script=), not inline,
    # so the docs keep to the Content-Security-Policy; the template moves its inline CSS to a file.
    # url_self: the script's URL is the docs path, not the request's, so no query string is echoed.
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="api-schema", url_self=reverse_lazy("api-docs"), template_name="api/swagger_ui.html"
        ),
        name="api-docs",
    ),
    # Before the router, whose contacts/{id}/ would take "bulk" for an id (crm: `plan` needs outreach).
    path("contacts/bulk/", ContactBulkView.as_view(), name="api-contact-bulk"),
    path("", include(router.urls)),
    path("", include("contacts.import_urls")),
    path("", include("crm.backup_urls")),
    path("", include("outreach.capture.api_urls")),
    # Last: catches what nothing above matched (e.g. /contacts/abc.def/).
    re_path(r"^.*$", not_found, name="api-not-found"),
]
