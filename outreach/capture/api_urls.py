"""API routes of capture (issue #13), included under /api/v1/."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("capture-offers", api.CaptureOfferViewSet, basename="capture-offer")
router.register("new-people", api.CorrespondentViewSet, basename="correspondent")

urlpatterns = [
    path(
        "imports/linkedin-messages/",
        api.LinkedInMessagesImportView.as_view(),
        name="api-import-linkedin-messages",
    ),
    path("imports/eml/", api.EmlImportView.as_view(), name="api-import-eml"),
    *router.urls,
]
