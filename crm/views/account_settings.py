"""Settings: profile and reminders, the calendar feed URL, API tokens, deleting the account."""

from django.conf import settings as django_settings
from django.contrib import messages
from django.contrib.auth import logout
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.selectors import api_token_get, api_token_list
from accounts.services import (
    account_delete,
    api_token_create,
    api_token_revoke,
    calendar_token_rotate,
    mail_in_token_rotate,
    profile_update,
)
from crm.forms import AccountDeleteForm, ProfileForm, add_service_errors

from .common import page_view


def calendar_feed_url(profile) -> str:
    return f"{django_settings.SITE_URL}/calendar/{profile.calendar_token}.ics"


NEW_TOKEN_SESSION_KEY = "settings.new_api_token"


def _page(request, form, *, status=200):
    profile = request.user.profile
    return render(
        request,
        "crm/settings.html",
        {
            "form": form,
            "calendar_url": calendar_feed_url(profile),
            "mail_in_address": profile.mail_in_address,
            "tokens": list(api_token_list(user=request.user)),
            # Shown on the first page after creating it, then gone from the session for good.
            "new_token": request.session.pop(NEW_TOKEN_SESSION_KEY, None),
        },
        status=status,
    )


@page_view
def settings_page(request):
    profile = request.user.profile
    form = ProfileForm(request.POST or None, initial=ProfileForm.initial_for(request.user))
    if request.method == "POST":
        if form.is_valid():
            try:
                profile_update(profile=profile, **{n: form.cleaned_data[n] for n in ProfileForm.PROFILE_FIELDS})
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, "Settings saved.")
                return redirect("settings")
        return _page(request, form, status=400)
    return _page(request, form)


@page_view
@require_POST
def calendar_rotate(request):
    calendar_token_rotate(profile=request.user.profile)
    messages.success(request, "New calendar URL created; the old one no longer works. Update your calendar app.")
    return redirect(reverse("settings") + "#calendar")


@page_view
@require_POST
def mail_in_rotate(request):
    mail_in_token_rotate(profile=request.user.profile)
    messages.success(request, "New mail-in address created; mail to the old one is refused from now on.")
    return redirect(reverse("settings") + "#mail-in")


@page_view
@require_POST
def token_create(request):
    """A new API token, as POST /api/v1/auth/token/ makes: django-rest-knox stores only its hash."""
    _, key = api_token_create(user=request.user)
    # Post/redirect/get: reloading the page shows it, it does not make another token.
    request.session[NEW_TOKEN_SESSION_KEY] = key
    return redirect(reverse("settings") + "#tokens")


@page_view
@require_POST
def token_revoke(request):
    """Revoke one of the user's tokens (like DELETE /api/v1/auth/tokens/<id>/)."""
    token = api_token_get(user=request.user, token_key=request.POST.get("token", ""))
    api_token_revoke(token=token)
    messages.success(request, "Token revoked; clients using it get 401 from now on.")
    return redirect(reverse("settings") + "#tokens")


@page_view
def account_delete_view(request):
    """Confirm with the password, delete everything, log out and say goodbye.

    The goodbye page is this POST's own response: after it there is no account to redirect into.
    """
    form = AccountDeleteForm(request, request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            username = request.user.get_username()
            account_delete(user=request.user)
            logout(request)  # this session is already gone; a fresh anonymous one takes its place
            return render(request, "crm/account_deleted.html", {"username": username})
        return render(request, "crm/account_delete.html", {"form": form}, status=400)
    return render(request, "crm/account_delete.html", {"form": form})
