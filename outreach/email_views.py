"""One-click links from reminder emails: complete or snooze a follow-up, turn an email off.

The link carries a signed token (see outreach.emails.sign_link) instead of a login: it names
the user, the action and the follow-up, so it cannot be forged or pointed at another user's
rows. GET only shows a confirmation page whose button POSTs, so mail scanners that prefetch
links change nothing; the POST is idempotent (a second click reports the state it finds).
The "turn off" link also accepts a direct RFC 8058 one-click POST from the mail client.
"""

from django.contrib.auth import get_user_model
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from accounts.errors import ApplicationError
from accounts.localtime import user_tz

from . import reminders
from .emails import (
    ACTION_COMPLETE,
    FOLLOW_UP_ACTIONS,
    OFF_LINKS,
    SNOOZE_BY,
    app_url,
    local_time,
    read_link,
)
from .models import FollowUp
from .selectors import follow_up_get
from .services import follow_up_complete, follow_up_snooze

PAGE = "outreach/email/action_page.html"

QUESTIONS = {
    "complete": "Mark “{title}” as done?",
    "snooze_day": "Snooze “{title}” by a day?",
    "snooze_week": "Snooze “{title}” by a week?",
}
BUTTONS = {
    "complete": "Mark as done",
    "snooze_day": "Snooze a day",
    "snooze_week": "Snooze a week",
}


# Token-authenticated, no session: CSRF protects cookies, and this view reads none.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def email_action(request, token: str):
    try:
        payload = read_link(token)
    except signing.SignatureExpired:
        return _page(request, "This link has expired", "Open Coffeechat to do this from the app.", status=410)
    except signing.BadSignature:
        raise Http404("Unknown link.") from None
    user = get_user_model().objects.select_related("profile").filter(pk=payload["u"], is_active=True).first()
    if user is None:
        raise Http404("Unknown link.")
    action = payload["a"]
    if action in FOLLOW_UP_ACTIONS:
        return _follow_up_action(request, user, action, payload)
    return _off_action(request, user, action)


def _follow_up_action(request, user, action: str, payload: dict):
    # Scoped to the token's user: a token can never reach another user's follow-up.
    follow_up = follow_up_get(user=user, pk=payload.get("f"))
    tz = user_tz(user)
    if follow_up.status != FollowUp.Status.OPEN:
        return _page(
            request,
            f"Already {follow_up.get_status_display().lower()}",
            f"“{follow_up.title}” is already {follow_up.status}.",
        )
    if action != ACTION_COMPLETE and follow_up.due_at.isoformat() != payload.get("d"):
        # The email's snooze was for the old time; a second click must not snooze again.
        return _page(
            request,
            "Already moved",
            f"“{follow_up.title}” is now due {local_time(follow_up.due_at, tz)}.",
        )
    if request.method == "GET":
        return _confirm(request, QUESTIONS[action].format(title=follow_up.title), BUTTONS[action])
    try:
        if action == ACTION_COMPLETE:
            follow_up_complete(follow_up=follow_up)
            return _page(request, "Done", f"“{follow_up.title}” is marked as done. Nice work.")
        # "A day" from when it is due, or from now if that has passed: never earlier than it was.
        later = max(timezone.now(), follow_up.due_at) + SNOOZE_BY[action]
        follow_up = follow_up_snooze(follow_up=follow_up, due_at=later, earlier_ok=False)
    except (ApplicationError, ValidationError) as exc:
        message = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        return _page(request, "Could not do that", message, status=400)
    return _page(request, "Snoozed", f"“{follow_up.title}” is now due {local_time(follow_up.due_at, tz)}.")


def _off_action(request, user, action: str):
    link = OFF_LINKS[action]
    if request.method == "GET":
        return _confirm(request, link.question, link.label)
    reminders.reminder_emails_turn_off(user=user, kind=link.kind)
    return _page(
        request, "Turned off", f"You will no longer get {link.what}. Turn them back on in your settings any time."
    )


def _confirm(request, question: str, button: str):
    return render(request, PAGE, {"heading": question, "button": button, "app_url": app_url()})


def _page(request, heading: str, message: str, status: int = 200):
    return render(
        request,
        PAGE,
        {"heading": heading, "message": message, "app_url": app_url(), "settings_url": app_url("settings")},
        status=status,
    )
