"""Follow-ups: the list, and complete / snooze (inline with htmx, or as plain forms)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.errors import ApplicationError
from crm import selectors
from crm.forms import FollowUpEditForm, SnoozeForm, add_service_errors
from outreach.models import FollowUp
from outreach.selectors import follow_up_get
from outreach.services import follow_up_complete as complete_service
from outreach.services import follow_up_snooze as snooze_service
from outreach.services import follow_up_update, template_render

from .common import page_view, safe_next, service_error_messages, snooze_choices, tz_of

PAGE_SIZE = 30
# The tabs use outreach.selectors.follow_up_due_q, the one definition of "due" that the API's
# `?due=`, the dashboard counts and the Today page share.
DUE_FILTERS = [("", "All"), ("overdue", "Overdue"), ("today", "Due today"), ("week", "This week")]
STATUS_FILTERS = [("open", "Open"), ("done", "Done"), ("cancelled", "Cancelled")]


@page_view
def follow_up_list(request):
    status = request.GET.get("status", "open")
    status = status if status in FollowUp.Status.values else "open"
    due = request.GET.get("due", "")
    due = due if due in dict(DUE_FILTERS) else ""
    follow_ups = selectors.follow_ups_for_list(user=request.user, status=status, due=due)
    page = Paginator(follow_ups, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "crm/follow_ups.html",
        {
            "page": page,
            "status": status,
            "due": due,
            "due_filters": DUE_FILTERS,
            "status_filters": STATUS_FILTERS,
            "snooze_choices": snooze_choices(request.user),
        },
    )


def _respond(request, follow_up, error: str = "", note: str = ""):
    """htmx gets the row back in place; a plain form post goes back where it came from."""
    if request.htmx:
        follow_up.refresh_from_db()
        return render(
            request,
            "crm/_follow_up_row.html",
            {
                "f": follow_up,
                "error": error,
                "note": note,
                "snooze_choices": snooze_choices(request.user),
            },
            status=400 if error else 200,
        )
    if error:
        messages.error(request, error)
    elif note:
        messages.success(request, note)
    return redirect(safe_next(request, reverse("follow_up_list")))


@page_view
@require_POST
def follow_up_complete(request, pk):
    follow_up = follow_up_get(user=request.user, pk=pk)
    try:
        complete_service(follow_up=follow_up)
    except (ApplicationError, ValidationError) as exc:
        return _respond(request, follow_up, error=" ".join(service_error_messages(exc)))
    return _respond(request, follow_up, note=f"Done: {follow_up.title}.")


@page_view
@require_POST
def follow_up_snooze(request, pk):
    follow_up = follow_up_get(user=request.user, pk=pk)
    form = SnoozeForm(request.POST)
    if not form.is_valid():
        return _respond(request, follow_up, error="Pick a date to snooze until.")
    try:
        snooze_service(follow_up=follow_up, due_at=form.day, earlier_ok=form.chosen)
    except (ApplicationError, ValidationError) as exc:
        return _respond(request, follow_up, error=" ".join(service_error_messages(exc)))
    return _respond(request, follow_up, note=f"Snoozed until {form.day:%a %d %b}.")


@page_view
def follow_up_edit(request, pk):
    """Change what is owed and when (in place with htmx, or as a page); the reminder follows."""
    follow_up = follow_up_get(user=request.user, pk=pk)
    if request.htmx and request.GET.get("cancel"):
        return _respond(request, follow_up)
    form = FollowUpEditForm(request.POST or None, follow_up=follow_up, tz=tz_of(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            follow_up_update(follow_up=follow_up, title=form.cleaned_data["title"], due_at=form.moment())
        except (ApplicationError, ValidationError) as exc:
            add_service_errors(form, exc)
        else:
            return _respond(request, follow_up, note="Saved.")
    status = 400 if request.method == "POST" else 200
    template = "crm/_follow_up_edit.html" if request.htmx else "crm/follow_up_edit.html"
    came_from = request.htmx.current_url_abs_path if request.htmx else None
    context = {"f": follow_up, "form": form, "next": safe_next(request, came_from or reverse("follow_up_list"))}
    return render(request, template, context, status=status)


@page_view
def follow_up_draft(request, pk):
    """A drafted reply for a nudge, thank-you or reconnect: the user's template of that kind
    rendered for the contact, in an editable box with Copy / Open in e-mail / LinkedIn."""
    follow_up = follow_up_get(user=request.user, pk=pk)
    template = selectors.reply_template(user=request.user, kind=follow_up.kind)
    context = {
        "f": follow_up,
        "contact": follow_up.contact,
        "template": template,
        "rendered": template_render(template=template, contact=follow_up.contact) if template else None,
        "box": f"draft-{follow_up.pk}",
    }
    if request.htmx and not request.htmx.history_restore_request:
        return render(request, "crm/_follow_up_draft.html", context)
    return render(request, "crm/follow_up_draft.html", context)
