"""Message templates: list, create, edit with a live preview against a chosen contact, delete."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.errors import ApplicationError
from config.idempotency import once_per_form_token
from contacts.models import Company, Contact
from contacts.selectors import contact_get
from crm import selectors
from crm.forms import TemplateForm, add_service_errors
from outreach.models import MessageTemplate, unknown_placeholders
from outreach.selectors import template_compare, template_get, template_stats
from outreach.selectors import template_list as template_selector
from outreach.services import template_create as create_service
from outreach.services import template_delete as template_delete_service
from outreach.services import template_render, template_update

from .common import page_view

# The periods the Templates and Insights pages offer, in days (any other value falls back to 90).
PERIODS = (30, 90, 180, 365)


def period_of(request) -> int:
    value = request.GET.get("days", "")
    return int(value) if value.isdigit() and int(value) in PERIODS else 90


@page_view
def template_list(request):
    days = period_of(request)
    stats = {row["id"]: row for row in template_stats(user=request.user, days=days)}
    templates = list(template_selector(user=request.user).order_by("kind", "name"))
    for template in templates:
        template.stats = stats.get(template.pk, {})
    comparison, compare_error = None, ""
    a, b = request.GET.get("a", ""), request.GET.get("b", "")
    if a.isdigit() and b.isdigit():
        try:
            comparison = template_compare(user=request.user, a=int(a), b=int(b), days=days)
        except Http404:
            compare_error = "Choose two of your templates."
        except ApplicationError as exc:
            compare_error = exc.message
    return render(
        request,
        "crm/templates/list.html",
        {
            "templates": templates,
            "days": days,
            "periods": PERIODS,
            "comparison": comparison,
            "compare_error": compare_error,
            "a": int(a) if a.isdigit() else None,
            "b": int(b) if b.isdigit() else None,
        },
    )


def _form_page(request, form, template, status=200):
    return render(
        request,
        "crm/templates/form.html",
        {
            "form": form,
            "template": template,
            "contacts": selectors.contacts_for_picker(user=request.user),
            "placeholders": MessageTemplate.PLACEHOLDERS,
        },
        status=status,
    )


@page_view
@once_per_form_token
def template_create_view(request):
    form = TemplateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            template = create_service(owner=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Template “{template.name}” created.")
            return redirect("template_list")
    return _form_page(request, form, None, status=400 if request.method == "POST" else 200)


@page_view
@once_per_form_token
def template_edit(request, pk):
    template = template_get(user=request.user, pk=pk)
    initial = {name: getattr(template, name) for name in ("name", "kind", "subject", "body")}
    form = TemplateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            template_update(template=template, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Template “{template.name}” saved.")
            return redirect("template_list")
    return _form_page(request, form, template, status=400 if request.method == "POST" else 200)


@page_view
@require_POST
def template_delete(request, pk):
    template = template_get(user=request.user, pk=pk)
    name = template.name
    template_delete_service(template=template)
    messages.success(request, f"Template “{name}” deleted.")
    return redirect("template_list")


SAMPLE_CONTACT = {
    "first_name": "Priya",
    "last_name": "Raman",
    "title": "Senior Product Manager",
    "how_we_met": "we met at the Mind the Product meetup",
}


@page_view
@require_POST
def template_preview(request):
    """htmx: the subject and body being edited, rendered for the chosen contact (or a sample one)."""
    subject = request.POST.get("subject", "")
    body = request.POST.get("body", "")
    unknown = sorted(set(unknown_placeholders(subject)) | set(unknown_placeholders(body)))
    contact = None
    contact_id = request.POST.get("preview_contact", "")
    if contact_id.isdigit():
        try:
            contact = contact_get(user=request.user, pk=int(contact_id))
        except Http404:
            pass  # a contact that is not theirs (or no longer exists) previews like none chosen
    if contact is None:
        contact = Contact(owner=request.user, company=Company(owner=request.user, name="Shopify"), **SAMPLE_CONTACT)
    unsaved = MessageTemplate(owner=request.user, subject=subject, body=body)
    return render(
        request,
        "crm/templates/_preview.html",
        {
            "rendered": template_render(template=unsaved, contact=contact),
            "unknown": unknown,
            "contact": contact,
        },
    )
