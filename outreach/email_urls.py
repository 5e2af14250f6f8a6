"""/email/: one-click links from reminder emails (no login; the signed token is the key)."""

from django.urls import path

from . import email_views

urlpatterns = [
    path("act/<str:token>/", email_views.email_action, name="email-action"),
]
