"""Helpers every dashboard view shares: the user's clock, safe redirects, service errors.

Rows are looked up by id only through the owning app's `*_get(*, user, pk)` selectors."""

import zoneinfo
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from accounts.localtime import local_today, user_tz
from config.pages import page_view

__all__ = [
    "page_view",
    "safe_next",
    "tz_of",
    "now_initial",
    "today_of",
    "snooze_choices",
    "service_error_messages",
    "confirm_delete_page",
]


def safe_next(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def tz_of(user) -> zoneinfo.ZoneInfo:
    return user_tz(user)


def now_initial(tz):
    """A date-and-time form's initial values: now, on the user's clock, to the minute."""
    now = timezone.now().astimezone(tz)
    return {"date": now.date(), "time": now.time().replace(second=0, microsecond=0)}


def today_of(user) -> date:
    return local_today(user)


def snooze_choices(user) -> list[tuple[str, date]]:
    today = today_of(user)
    # Next Monday (a week ahead when today is Monday).
    monday = today + timedelta(days=(7 - today.weekday()) or 7)
    return [("Tomorrow", today + timedelta(days=1)), ("In 3 days", today + timedelta(days=3)), ("Next Monday", monday)]


def service_error_messages(exc: Exception) -> list[str]:
    if isinstance(exc, ValidationError):
        if hasattr(exc, "error_dict"):
            return [m for messages in exc.message_dict.values() for m in messages]
        return list(exc.messages)
    return [str(exc)]


def confirm_delete_page(request, *, heading: str, summary: dict, action: str, cancel: str, button: str, **extra):
    """The page every delete asks on first (GET): what goes with it, what stays, and one button."""
    context = {"heading": heading, "summary": summary, "action": action, "cancel": cancel, "button": button, **extra}
    return render(request, "crm/confirm_delete.html", context)
