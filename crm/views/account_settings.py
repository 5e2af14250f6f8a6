"""Settings: profile and reminders, the calendar feed URL, API tokens, deleting the account."""

from django.conf import settings as django_settings
from django.contrib import messages
from django.contrib.auth import logout
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.errors import ApplicationError
from accounts.selectors import api_token_get, api_token_list
from accounts.services import (
    account_delete,
    api_token_create,
    api_token_revoke,
    calendar_token_rotate,
    mail_in_token_rotate,
    profile_update,
    user_email_change,
)
from crm.backup import account_is_empty, backup_read, backup_restore
from crm.forms import AccountDeleteForm, EmailChangeForm, ProfileForm, add_service_errors

from .common import page_view


def calendar_feed_url(profile) -> str:
    return f"{django_settings.SITE_URL}/calendar/{profile.calendar_token}.ics"


NEW_TOKEN_SESSION_KEY = "settings.new_api_token"


def _page(request, form, *, email_form=None, status=200):
    profile = request.user.profile
    return render(
        request,
        "crm/settings.html",
        {
            "form": form,
            "email_form": email_form or EmailChangeForm(request),
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
    form = ProfileForm(
        request.POST or None, initial=ProfileForm.initial_for(request.user), current_timezone=profile.timezone
    )
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
def email_change(request):
    """A new account e-mail, with the password re-entered; unique in any letter case."""
    form = EmailChangeForm(request, request.POST)
    if form.is_valid():
        try:
            user_email_change(user=request.user, email=form.cleaned_data["email"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Your e-mail address is now {request.user.email}.")
            return redirect(reverse("settings") + "#email")
    profile_form = ProfileForm(
        initial=ProfileForm.initial_for(request.user), current_timezone=request.user.profile.timezone
    )
    return _page(request, profile_form, email_form=form, status=400)


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
def backup_restore_view(request):
    """Restore a backup.json into this account, once it is confirmed; only an empty account
    takes one (the service refuses any other with a conflict)."""
    empty = account_is_empty(request.user)
    context = {"empty": empty, "error": ""}
    if request.method == "POST":
        if request.POST.get("confirm") != "yes":
            context["error"] = "Tick the box to confirm the restore."
        else:
            try:
                counts = backup_restore(user=request.user, data=backup_read(request.FILES.get("file")))
            except ApplicationError as exc:
                context["error"] = exc.message
            else:
                restored = ", ".join(f"{n} {name.replace('_', ' ')}" for name, n in counts.items() if n)
                messages.success(request, f"Backup restored: {restored or 'nothing to restore'}.")
                return redirect("today")
        return render(request, "crm/backup_restore.html", context, status=400)
    return render(request, "crm/backup_restore.html", context)


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
