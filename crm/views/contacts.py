"""Contacts: search, filters, create/edit, the detail page with its timeline and quick actions."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from accounts.errors import ApplicationError
from config.api import MAX_ID
from contacts.importers.services import job_change_acknowledge
from contacts.models import Contact
from contacts.selectors import contact_get, job_change_get
from contacts.services import company_get_or_create, contact_create, contact_update
from crm import selectors
from crm.forms import (
    ContactForm,
    FollowUpForm,
    LogHeldForm,
    NoteForm,
    PlanForm,
    RequestForm,
    add_service_errors,
)
from crm.markdown import render_markdown
from crm.services import note_create
from outreach.services import (
    DuplicateAsk,
    conversation_create,
    conversation_log_held,
    conversation_start_request,
    follow_up_create,
    template_render,
)

from .common import now_initial, page_view, safe_next, snooze_choices, tz_of

PAGE_SIZE = 25


def _int_or_none(value):
    """A positive id from a query parameter, or None: `?company=99999999999999999999` is ignored
    like `?company=abc`, not a 500."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number <= MAX_ID else None


@page_view
# The same URL is a fragment for htmx and a whole page otherwise: the browser's cache must not
# hand the fragment back as the page when the user presses Back.
@vary_on_headers("HX-Request", "HX-History-Restore-Request")
def contact_list(request):
    user = request.user
    params = request.GET
    filters = {
        "search": params.get("q", "").strip(),
        "company": _int_or_none(params.get("company")),
        "tag": _int_or_none(params.get("tag")),
        "source": params.get("source", "") if params.get("source") in Contact.Source.values else "",
        "relationship": params.get("relationship", "")
        if params.get("relationship") in Contact.Relationship.values
        else "",
        "reconnect_due": params.get("reconnect_due") == "1",
        "archived": params.get("archived") == "1",
        "sort": params.get("sort", "name") if params.get("sort") in selectors.CONTACT_SORTS else "name",
    }
    page = Paginator(selectors.contacts_for_list(user=user, **filters), PAGE_SIZE).get_page(params.get("page"))
    query_without_page = params.copy()
    query_without_page.pop("page", None)
    context = {
        "page": page,
        "filters": filters,
        "filtered": any(value for key, value in filters.items() if key != "sort"),
        "querystring": query_without_page.urlencode(),
        "sorts": [
            ("name", "Name A–Z"),
            ("-name", "Name Z–A"),
            ("company", "Company"),
            ("-last_contacted", "Recently in touch"),
            ("last_contacted", "Longest out of touch"),
            ("reconnect", "Reconnect due first"),
            ("-created", "Newest"),
        ],
        "sources": Contact.Source.choices,
        "relationships": Contact.Relationship.choices,
    }
    if request.htmx and not request.htmx.history_restore_request:
        return render(request, "crm/contacts/_results.html", context)
    context["companies"] = selectors.companies_for_user(user=user)
    context["tags"] = selectors.tags_for_user(user=user)
    return render(request, "crm/contacts/list.html", context)


def _save_contact(request, form, contact=None):
    """Run the contact services for a valid form; errors land on the form. Returns the contact or None."""
    data = dict(form.cleaned_data)
    company_name = data.pop("company").strip()
    data.pop("tags")
    try:
        with transaction.atomic():
            data["company"] = company_get_or_create(owner=request.user, name=company_name) if company_name else None
            if contact is None:
                return contact_create(owner=request.user, tags=form.tag_names(), **data)
            return contact_update(contact=contact, tags=form.tag_names(), **data)
    except ValidationError as exc:
        add_service_errors(form, exc)
    return None


@page_view
def contact_create_view(request):
    form = ContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        contact = _save_contact(request, form)
        if contact is not None:
            messages.success(request, f"Added {contact.full_name}.")
            return redirect("contact_detail", pk=contact.pk)
    return render(
        request,
        "crm/contacts/form.html",
        {"form": form, "contact": None, "companies": selectors.companies_for_user(user=request.user)},
        status=400 if request.method == "POST" else 200,
    )


@page_view
def contact_edit(request, pk):
    contact = contact_get(user=request.user, pk=pk)
    form = ContactForm(request.POST or None, initial=ContactForm.initial_for(contact))
    if request.method == "POST" and form.is_valid():
        if _save_contact(request, form, contact) is not None:
            messages.success(request, f"Saved {contact.full_name}.")
            return redirect("contact_detail", pk=contact.pk)
    return render(
        request,
        "crm/contacts/form.html",
        {"form": form, "contact": contact, "companies": selectors.companies_for_user(user=request.user)},
        status=400 if request.method == "POST" else 200,
    )


@page_view
@require_POST
def contact_archive(request, pk):
    contact = contact_get(user=request.user, pk=pk)
    archive = request.POST.get("archived", "1") == "1"
    contact_update(contact=contact, archived=archive)
    messages.success(request, f"{contact.full_name} {'archived' if archive else 'restored'}.")
    return redirect("contact_detail", pk=contact.pk)


def _detail_context(request, contact, **forms):
    user = request.user
    conversations = selectors.contact_conversations(contact=contact)
    templates = selectors.request_templates(user=user)
    timeline = selectors.contact_timeline(contact=contact)
    request_form = forms.get("request_form") or RequestForm(templates=templates, prefix="rq")
    for entry in timeline:
        if entry["kind"] == "note":
            entry["html"] = render_markdown(entry["note"].body)
    context = {
        "contact": contact,
        "timeline": timeline,
        "conversations": conversations,
        "open_follow_ups": selectors.contact_open_follow_ups(contact=contact),
        "snooze_choices": snooze_choices(user),
        "note_form": forms.get("note_form") or NoteForm(conversations=conversations),
        "follow_up_form": forms.get("follow_up_form") or FollowUpForm(prefix="fu"),
        "request_form": request_form,
        "plan_form": forms.get("plan_form") or PlanForm(templates=templates, prefix="pl"),
        "log_form": forms.get("log_form") or LogHeldForm(prefix="lg", tz=tz_of(user), initial=now_initial(tz_of(user))),
        "duplicate": forms.get("duplicate"),
        "templates": templates,
    }
    chosen = (request_form.is_bound and request_form.cleaned_data.get("template")) or (
        templates[0] if templates else None
    )
    if chosen is not None:
        context["chosen_template"] = chosen
        rendered = template_render(template=chosen, contact=contact)
        if request_form.is_bound:
            # A refused request comes back with the text as the user edited it, not re-drafted.
            rendered.update(subject=request_form.data.get("rq-message_subject", ""))
            rendered.update(body=request_form.data.get("rq-message_body", ""))
        context["rendered"] = rendered
    return context


@page_view
def contact_detail(request, pk):
    contact = contact_get(user=request.user, pk=pk)
    return render(request, "crm/contacts/detail.html", _detail_context(request, contact))


@page_view
def contact_request(request, pk):
    """GET (htmx): the chosen template rendered for this contact. POST: create the ask, mark it requested."""
    contact = contact_get(user=request.user, pk=pk)
    templates = selectors.request_templates(user=request.user)
    if request.method == "GET":
        by_id = {t.pk: t for t in templates}
        chosen = by_id.get(_int_or_none(request.GET.get("rq-template")))
        if chosen is None:
            raise Http404("No such template.")
        return render(
            request,
            "crm/contacts/_request_preview.html",
            {
                "contact": contact,
                "chosen_template": chosen,
                "rendered": template_render(template=chosen, contact=contact),
            },
        )
    form = RequestForm(request.POST, templates=templates, prefix="rq")
    return _create_ask(
        request,
        contact,
        form,
        "request_form",
        create=conversation_start_request,
        done=f"Request to {contact.full_name} recorded — a nudge is planned if they don't reply.",
    )


@page_view
@require_POST
def contact_plan(request, pk):
    """Plan a request: a `planned` conversation, sent later (Today shows the queue)."""
    contact = contact_get(user=request.user, pk=pk)
    form = PlanForm(request.POST, templates=selectors.request_templates(user=request.user), prefix="pl")
    return _create_ask(
        request,
        contact,
        form,
        "plan_form",
        create=conversation_create,
        done=f"Planned: ask {contact.full_name}. It is on Today's list of people to ask.",
    )


def _create_ask(request, contact, form, form_name: str, *, create, done: str):
    """Run a service that opens an ask for a valid form; a second open ask of the same kind
    comes back (409) with the open one named and linked, and the user's input kept."""
    duplicate = None
    if form.is_valid():
        try:
            create(owner=request.user, contact=contact, **form.cleaned_data)
        except DuplicateAsk as exc:
            duplicate = exc.existing
            form.add_error(None, exc.message)
        except (ValidationError, ApplicationError) as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, done)
            return redirect("contact_detail", pk=contact.pk)
    context = _detail_context(request, contact, duplicate=duplicate, **{form_name: form})
    return render(request, "crm/contacts/detail.html", context, status=409 if duplicate else 400)


@page_view
@require_POST
def contact_log_chat(request, pk):
    """A chat that already happened, recorded as held in one step."""
    contact = contact_get(user=request.user, pk=pk)
    form = LogHeldForm(request.POST, prefix="lg", tz=tz_of(request.user))
    if form.is_valid():
        data = dict(form.cleaned_data)
        del data["date"], data["time"]
        try:
            conversation = conversation_log_held(owner=request.user, contact=contact, held_at=form.moment(), **data)
        except (ValidationError, ApplicationError) as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Chat with {contact.full_name} logged as held — a thank-you is planned.")
            return redirect("conversation_detail", pk=conversation.pk)
    return render(request, "crm/contacts/detail.html", _detail_context(request, contact, log_form=form), status=400)


@page_view
@require_POST
def contact_note_create(request, pk):
    contact = contact_get(user=request.user, pk=pk)
    conversations = selectors.contact_conversations(contact=contact)
    form = NoteForm(request.POST, conversations=conversations)
    if form.is_valid():
        by_id = {c.pk: c for c in conversations}
        try:
            note_create(
                owner=request.user,
                contact=contact,
                body=form.cleaned_data["body"],
                kind=form.cleaned_data["kind"],
                conversation=by_id.get(form.cleaned_data["conversation"]),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Note saved.")
            return redirect(reverse("contact_detail", args=[contact.pk]) + "#timeline")
    return render(request, "crm/contacts/detail.html", _detail_context(request, contact, note_form=form), status=400)


@page_view
@require_POST
def contact_follow_up_create(request, pk):
    contact = contact_get(user=request.user, pk=pk)
    form = FollowUpForm(request.POST, prefix="fu")
    if form.is_valid():
        try:
            follow_up_create(
                owner=request.user,
                contact=contact,
                kind=form.cleaned_data["kind"],
                title=form.cleaned_data["title"],
                due_at=form.cleaned_data["due_on"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Follow-up added.")
            return redirect("contact_detail", pk=contact.pk)
    return render(
        request, "crm/contacts/detail.html", _detail_context(request, contact, follow_up_form=form), status=400
    )


@page_view
@require_POST
def job_change_seen(request, pk):
    """The user congratulated them (or chose not to): the job change leaves Today."""
    event = job_change_get(user=request.user, pk=pk)
    job_change_acknowledge(event=event)
    if request.htmx:
        return HttpResponse("")
    return redirect(safe_next(request, reverse("today")))
