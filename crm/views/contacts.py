"""Contacts: search, filters, create/edit, the detail page with its timeline and quick actions."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from accounts.errors import ApplicationError
from config.api import MAX_ID
from config.idempotency import once_per_form_token
from contacts.importers.services import job_change_acknowledge
from contacts.models import Contact
from contacts.selectors import (
    BULK_MAX_IDS,
    company_get,
    contact_get,
    contact_referrals,
    duplicate_groups,
    job_change_get,
)
from contacts.services import company_get_or_create, contact_create, contact_merge, contact_update
from contacts.services import contact_delete as contact_delete_service
from crm import selectors
from crm.forms import (
    ContactForm,
    FollowUpForm,
    LogHeldForm,
    NoteForm,
    PlanForm,
    RequestForm,
    TouchForm,
    add_service_errors,
)
from crm.markdown import render_markdown
from crm.models import NOTE_UNDO_SECONDS
from crm.services import contact_bulk_action, note_create
from outreach.models import Conversation
from outreach.services import (
    DuplicateAsk,
    conversation_create,
    conversation_log_held,
    conversation_start_request,
    follow_up_create,
    template_render,
)

from .common import (
    confirm_delete_page,
    now_initial,
    page_view,
    safe_next,
    service_error_messages,
    snooze_choices,
    tz_of,
)

PAGE_SIZE = 25


def _int_or_none(value):
    """A positive id from a query parameter, or None: `?company=99999999999999999999` is ignored
    like `?company=abc`, not a 500."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number <= MAX_ID else None


def _list_filters(params) -> dict:
    """The contact list's filters from a query string (unknown values are ignored)."""
    return {
        "search": params.get("q", "").strip(),
        "company": _int_or_none(params.get("company")),
        "tag": _int_or_none(params.get("tag")),
        "source": params.get("source", "") if params.get("source") in Contact.Source.values else "",
        "relationship": params.get("relationship", "")
        if params.get("relationship") in Contact.Relationship.values
        else "",
        "responsiveness": params.get("responsiveness", "")
        if params.get("responsiveness") in Contact.Responsiveness.values
        else "",
        "reconnect_due": params.get("reconnect_due") == "1",
        "archived": params.get("archived") == "1",
        "sort": params.get("sort", "name") if params.get("sort") in selectors.CONTACT_SORTS else "name",
    }


@page_view
# The same URL is a fragment for htmx and a whole page otherwise: the browser's cache must not
# hand the fragment back as the page when the user presses Back.
@vary_on_headers("HX-Request", "HX-History-Restore-Request")
def contact_list(request):
    user = request.user
    params = request.GET
    filters = _list_filters(params)
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
        "responsiveness_labels": Contact.Responsiveness.choices,
        "bulk_actions": BULK_ACTION_LABELS,
        "kinds": Conversation.Kind.choices,
        "bulk_max": BULK_MAX_IDS,
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
@once_per_form_token
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
@once_per_form_token
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


@page_view
def contact_delete(request, pk):
    """GET: what goes with the contact (Archive keeps everything). POST: delete them."""
    contact = contact_get(user=request.user, pk=pk)
    if request.method == "POST":
        contact_delete_service(contact=contact)
        messages.success(request, f"Deleted {contact.full_name} and their history.")
        return redirect("contact_list")
    return confirm_delete_page(
        request,
        heading=f"Delete {contact.full_name}?",
        summary=selectors.contact_delete_summary(contact=contact),
        action=reverse("contact_delete", args=[contact.pk]),
        cancel=reverse("contact_detail", args=[contact.pk]),
        button=f"Delete {contact.full_name} and their history",
        alternative="To keep the history but stop seeing them in lists and reminders, archive them instead.",
    )


def _detail_context(request, contact, intro_company=None, **forms):
    user = request.user
    conversations = selectors.contact_conversations(contact=contact)
    templates = selectors.request_templates(user=user)
    referrals, referral_count = contact_referrals(user=user, contact=contact)
    timeline = selectors.contact_timeline(contact=contact)
    request_form = forms.get("request_form") or RequestForm(
        templates=templates, portfolio_items=selectors.portfolio_item_choices(user=user), prefix="rq"
    )
    for entry in timeline:
        if entry["kind"] == "note":
            entry["html"] = render_markdown(entry["note"].body)
    now = timezone.now()
    undo_notes = [
        {"note": note, "seconds_left": max(1, NOTE_UNDO_SECONDS - int((now - note.deleted_at).total_seconds()))}
        for note in selectors.notes_in_undo_window(contact=contact, now=now)
    ]
    context = {
        "contact": contact,
        "timeline": timeline,
        "undo_notes": undo_notes,
        "conversations": conversations,
        "open_follow_ups": selectors.contact_open_follow_ups(contact=contact),
        "snooze_choices": snooze_choices(user),
        "note_form": forms.get("note_form") or NoteForm(conversations=conversations),
        "follow_up_form": forms.get("follow_up_form") or FollowUpForm(prefix="fu"),
        "request_form": request_form,
        "plan_form": forms.get("plan_form") or PlanForm(templates=templates, prefix="pl"),
        "log_form": forms.get("log_form") or LogHeldForm(prefix="lg", tz=tz_of(user), initial=now_initial(tz_of(user))),
        "duplicate": forms.get("duplicate"),
        "touch_form": TouchForm(),
        "templates": templates,
        "referrals": referrals,
        "referrals_more": referral_count - len(referrals),
        "intro_company": intro_company,
    }
    chosen = (request_form.is_bound and request_form.cleaned_data.get("template")) or (
        templates[0] if templates else None
    )
    if intro_company is not None and not request_form.is_bound:
        # "Ask for an intro" from the Targets page: the intro template, about the target company.
        chosen = next((t for t in templates if t.kind == Conversation.Kind.INTRO_REQUEST), chosen)
    if chosen is not None:
        context["chosen_template"] = chosen
        rendered = template_render(template=chosen, contact=contact, company=intro_company)
        if request_form.is_bound:
            # A refused request comes back with the text as the user edited it, not re-drafted.
            rendered.update(subject=request_form.data.get("rq-message_subject", ""))
            rendered.update(body=request_form.data.get("rq-message_body", ""))
        context["rendered"] = rendered
    return context


@page_view
def contact_detail(request, pk):
    """The contact's page; `?intro=<company id>` (the Targets page's "Ask for an intro") opens the
    request form on the intro template, its {company} naming that target company."""
    contact = contact_get(user=request.user, pk=pk)
    intro_id = _int_or_none(request.GET.get("intro"))
    intro_company = company_get(user=request.user, pk=intro_id) if intro_id else None
    return render(request, "crm/contacts/detail.html", _detail_context(request, contact, intro_company=intro_company))


@page_view
@once_per_form_token
def contact_request(request, pk):
    """GET (htmx): the chosen template rendered for this contact. POST: create the ask, mark it requested."""
    contact = contact_get(user=request.user, pk=pk)
    templates = selectors.request_templates(user=request.user)
    if request.method == "GET":
        by_id = {t.pk: t for t in templates}
        chosen = by_id.get(_int_or_none(request.GET.get("rq-template")))
        if chosen is None:
            raise Http404("No such template.")
        intro_id = _int_or_none(request.GET.get("intro"))  # an intro ask: {company} is the target
        intro_company = company_get(user=request.user, pk=intro_id) if intro_id else None
        return render(
            request,
            "crm/contacts/_request_preview.html",
            {
                "contact": contact,
                "chosen_template": chosen,
                "rendered": template_render(template=chosen, contact=contact, company=intro_company),
            },
        )
    form = RequestForm(
        request.POST,
        templates=templates,
        portfolio_items=selectors.portfolio_item_choices(user=request.user),
        prefix="rq",
    )
    return _create_ask(
        request,
        contact,
        form,
        "request_form",
        create=conversation_start_request,
        done=f"Request to {contact.full_name} recorded — a nudge is planned if they don't reply.",
    )


@page_view
@once_per_form_token
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
@once_per_form_token
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
@once_per_form_token
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
@once_per_form_token
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


# --- duplicates and merging --------------------------------------------------------------

DUPLICATE_GROUPS_PER_PAGE = 10
DUPLICATE_REASON_LABELS = {
    "linkedin_url": "Same LinkedIn profile",
    "email": "Same e-mail",
    "name_and_company": "Same name at the same company",
}


@page_view
def contact_duplicates(request):
    """Groups of contacts that look like one person, side by side, each with a Merge button."""
    groups = duplicate_groups(user=request.user)
    page = Paginator(groups, DUPLICATE_GROUPS_PER_PAGE).get_page(request.GET.get("page"))
    selectors.duplicate_groups_with_counts(user=request.user, groups=page.object_list)
    for group in page.object_list:
        group.reason_labels = [DUPLICATE_REASON_LABELS[reason] for reason in group.reasons]
    return render(
        request, "crm/contacts/duplicates.html", {"page": page, "per_group": selectors.DUPLICATES_SHOWN_PER_GROUP}
    )


@page_view
@require_POST
def contact_merge_view(request, pk):
    """Merge the contact in the form (`other`) into this one; it is deleted."""
    keep = contact_get(user=request.user, pk=pk)
    other = contact_get(user=request.user, pk=_int_or_none(request.POST.get("other")) or 0)
    other_name = other.full_name
    try:
        contact_merge(keep=keep, other=other)
    except (ValidationError, ApplicationError) as exc:
        messages.error(request, " ".join(service_error_messages(exc)))
    else:
        messages.success(request, f"Merged {other_name} into {keep.full_name}: everything of theirs is here now.")
    return redirect(safe_next(request, reverse("contact_duplicates")))


# --- bulk actions ------------------------------------------------------------------------

BULK_ACTION_LABELS = {
    "tag": "Add tag",
    "untag": "Remove tag",
    "set_relationship": "Set relationship",
    "set_source": "Set source",
    "set_cadence": "Set reconnect cadence",
    "archive": "Archive",
    "unarchive": "Restore from archive",
    "plan": "Plan a request",
}
# Which field of the bulk bar holds the value of each action.
BULK_VALUE_FIELDS = {
    "tag": "value_tag",
    "untag": "value_tag",
    "set_relationship": "value_relationship",
    "set_source": "value_source",
    "set_cadence": "value_cadence",
    "plan": "value_kind",
}


@page_view
@once_per_form_token
@require_POST
def contact_bulk(request):
    """The contacts list's bulk bar: the ticked contacts, or every contact the current filter
    shows (up to BULK_MAX_IDS), get one action, all or nothing."""
    filters = _list_filters(QueryDict(request.POST.get("filter", "")))
    back = reverse("contact_list")
    query = QueryDict(request.POST.get("filter", "")).copy()
    query.pop("page", None)
    if query:
        back += "?" + query.urlencode()
    if request.POST.get("scope") == "filter":
        ids = list(
            selectors.contacts_for_list(user=request.user, **filters).values_list("pk", flat=True)[: BULK_MAX_IDS + 1]
        )
    else:
        ids = [_int_or_none(value) for value in request.POST.getlist("ids")]
        ids = [pk for pk in ids if pk is not None]
    if not ids:
        messages.error(request, "Tick at least one contact, or choose all contacts matching the filter.")
        return redirect(back)
    action = request.POST.get("action", "")
    value = request.POST.get(BULK_VALUE_FIELDS.get(action, ""), None)
    if action == "set_cadence" and value is not None:
        value = value.strip() or None
    try:
        result = contact_bulk_action(owner=request.user, ids=ids, action=action, value=value)
    except (ValidationError, ApplicationError) as exc:
        messages.error(request, "Nothing was changed: " + " ".join(service_error_messages(exc)))
    else:
        messages.success(request, _bulk_summary(result))
    return redirect(back)


def _bulk_summary(result: dict) -> str:
    label = BULK_ACTION_LABELS[result["action"]]
    done = result["changed"]
    nouns = ("request planned", "requests planned") if result["action"] == "plan" else ("contact", "contacts")
    text = f"{label}: {done} {nouns[done != 1]}."
    skipped = result["skipped"]
    if skipped:
        shown = "; ".join(f"{row['name']} ({row['reason']})" for row in skipped[:5])
        more = f"; and {len(skipped) - 5} more" if len(skipped) > 5 else ""
        text += f" Skipped {len(skipped)}: {shown}{more}."
    return text
