"""Small template helpers for the dashboard."""

from django import template
from django.utils import timezone
from django.utils.http import urlencode

from accounts.dates import ago as ago_words
from config.idempotency import form_token_input
from outreach.models import Stage

register = template.Library()


@register.filter
def user_timezone(user) -> str:
    """The user's IANA time zone (UTC when logged out): pages show times on their clock."""
    profile = getattr(user, "profile", None) if getattr(user, "is_authenticated", False) else None
    return profile.timezone if profile else "UTC"


@register.filter
def stage_label(value: str) -> str:
    try:
        return Stage(value).label
    except ValueError:
        return value


@register.filter
def label(value: str) -> str:
    """An enum value as words: `slack_community` -> `Slack community`."""
    return str(value or "").replace("_", " ").capitalize()


@register.simple_tag(takes_context=True)
def query_with(context, **changes) -> str:
    """The current query string with some parameters replaced (None/"" removes them)."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = value
    return "?" + params.urlencode() if params else "?"


@register.filter
def ago(moment) -> str:
    """ "3 months ago" in one rounded unit (Django's timesince says "2 months, 4 weeks")."""
    return ago_words(moment) if moment else ""


@register.filter
def not_before(choices, due_at):
    """Snooze presets (label, day) that do not bring a follow-up forward: days after the one
    it is due on, on the user's clock. An earlier day is offered only through the date picker."""
    if not due_at:
        return choices
    due_day = timezone.localtime(due_at).date()
    return [(label, day) for label, day in choices if day > due_day]


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter
def week_total(days) -> int:
    """The Insights heatmap: a week's activity (the sum of its days' totals)."""
    return sum(day["total"] for day in days)


@register.filter
def percent(value) -> str:
    return "—" if value is None else f"{round(value * 100)}%"


__all__ = ["register", "urlencode"]


@register.simple_tag
def form_token():
    """A one-time token for a creating form: its view (config.idempotency.once_per_form_token)
    makes one row however often the form is sent (a double click, Back and resubmit)."""
    return form_token_input()


@register.filter
def opportunity_title(body: str) -> str:
    """An opportunity note's first line, as "Track as opportunity" prefills the role (issue #14)."""
    from crm.services import opportunity_title_from_note

    return opportunity_title_from_note(body or "")
