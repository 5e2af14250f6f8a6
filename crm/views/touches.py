"""Touches on the web (#10): "We talked" on a contact (its page and its row in the list), and
"Log an event" for a meetup or call with several people. outreach.services.touch_create
does the writing: last contact and the open reconnect follow-up move with it."""

from datetime import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from config.api import MAX_ID
from config.idempotency import once_per_form_token
from contacts.selectors import contact_get
from crm import selectors
from crm.forms import EventForm, TouchForm, add_service_errors
from outreach.selectors import touch_get
from outreach.services import TOUCH_MAX_CONTACTS, touch_create, touch_delete

from .common import page_view, safe_next, service_error_messages, tz_of


def _ids(values) -> list[int]:
    """The positive ids among submitted values, in order, once each (junk is dropped)."""
    ids: list[int] = []
    for value in values:
        try:
            number = int(value)
        except (TypeError, ValueError):
            continue
        if 0 < number <= MAX_ID and number not in ids:
            ids.append(number)
        if len(ids) > TOUCH_MAX_CONTACTS:  # one past the limit: enough for the service to refuse
            break
    return ids


@page_view
@once_per_form_token
@require_POST
def contact_touch_create(request, pk):
    """One click: we talked with this contact, now. From the contact list (`row=1`) htmx gets
    the row back; from the contact page it gets the page (the page swaps its main part)."""
    contact = contact_get(user=request.user, pk=pk)
    form = TouchForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            touch_create(
                owner=request.user,
                contacts=[contact],
                at=timezone.now(),
                channel=form.cleaned_data["channel"],
                summary=form.cleaned_data["summary"],
            )
        except ValidationError as exc:
            error = " ".join(service_error_messages(exc))
    else:
        error = " ".join(message for errors in form.errors.values() for message in errors)
    if request.htmx and request.POST.get("row"):
        contact.refresh_from_db()
        return render(
            request,
            "crm/contacts/_row.html",
            {"c": contact, "note": "" if error else "Logged: you talked today.", "error": error},
            status=400 if error else 200,
        )
    if error:
        messages.error(request, f"Not logged: {error}")
    else:
        messages.success(request, f"Logged: you talked with {contact.full_name}.")
    return redirect(safe_next(request, reverse("contact_detail", args=[contact.pk])))


def _event_initial(user) -> dict:
    now = timezone.localtime(timezone.now(), tz_of(user))
    return {"date": now.date(), "time": now.time().replace(second=0, microsecond=0)}


def _picker_context(request, ids: list[int], search: str) -> dict:
    picked = selectors.contacts_picked(user=request.user, ids=ids)
    matches, more = selectors.contacts_to_pick(user=request.user, search=search, exclude_ids=[c.pk for c in picked])
    return {"picked": picked, "matches": matches, "more": more, "search": search, "max_contacts": TOUCH_MAX_CONTACTS}


@page_view
def touch_contact_picker(request):
    """htmx: the picker's list for a search, the contacts already picked kept (and ticked) on top."""
    search = request.GET.get("q", "").strip()[:200]
    return render(
        request, "crm/touches/_picker.html", _picker_context(request, _ids(request.GET.getlist("contacts")), search)
    )


@page_view
@once_per_form_token
def touch_event_create(request):
    """Log an event: a meetup, a call or a thread with several people, at a moment of its own.

    Without JavaScript the picker's Search button posts the form back with the search: the
    page comes back with the ticked contacts kept and the new matches below them."""
    user = request.user
    data = request.POST if request.method == "POST" else None
    source = request.POST if data is not None else request.GET
    ids = _ids(source.getlist("contacts"))
    search = source.get("q", "").strip()[:200]
    form = EventForm(data, tz=tz_of(user), initial=_event_initial(user))
    status = 200
    if data is not None and data.get("action") != "search":
        created = _event_save(request, form, ids)
        if created is not None:
            names = ", ".join(c.full_name for c in created.contacts.all()[:5])
            count = created.contacts.count()
            more = f" and {count - 5} more" if count > 5 else ""
            messages.success(request, f"Logged: {created.get_channel_display().lower()} with {names}{more}.")
            if count == 1:
                return redirect("contact_detail", pk=created.contacts.get().pk)
            return redirect("touch_event_create")
        status = 400
    context = {"form": form, **_picker_context(request, ids, search)}
    return render(request, "crm/touches/event_form.html", context, status=status)


def _event_save(request, form, ids: list[int]):
    """The touch, or None with the reasons on the form."""
    contacts = selectors.contacts_picked(user=request.user, ids=ids)
    valid = form.is_valid()
    if not ids:
        form.add_error(None, "Tick at least one person who was there.")
    elif len(contacts) != len(ids):
        form.add_error(None, "Some of the people ticked were not found. Tick them again.")
    if not valid or form.errors:
        return None
    try:
        at: datetime = form.moment()
        return touch_create(
            owner=request.user,
            contacts=contacts,
            at=at,
            channel=form.cleaned_data["channel"],
            summary=form.cleaned_data["summary"],
        )
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            # The service speaks of `at`; the form asks for it as a date and a time.
            exc = ValidationError({("date" if name == "at" else name): m for name, m in exc.message_dict.items()})
        add_service_errors(form, exc)
    return None


@page_view
@require_POST
def touch_delete_view(request, pk):
    """A touch logged by mistake goes. The contacts it named whose last contact was its moment
    get the latest one still on record (outreach.services.touch_delete); back to where it was."""
    touch = touch_get(user=request.user, pk=pk)
    first = touch.contacts.order_by("first_name", "last_name", "id").first()
    touch_delete(touch=touch)
    messages.success(request, "Touch deleted.")
    default = reverse("contact_detail", args=[first.pk]) if first else reverse("contact_list")
    return redirect(safe_next(request, default))
