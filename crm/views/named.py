"""Companies and tags: a page each to list them (with contact counts), rename, merge and delete.

Both are rows the user names once (contacts.models.NamedByKey: unique per owner in any case),
so one set of views serves both, configured by a `Named` each."""

from dataclasses import dataclass
from typing import Callable

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse

from accounts.errors import ApplicationError
from accounts.text import one_line
from contacts import selectors as contact_selectors
from contacts import services as contact_services
from contacts.models import Company, Tag
from crm.forms import Form, add_service_errors

from .common import confirm_delete_page, page_view

PAGE_SIZE = 50


@dataclass(frozen=True)
class Named:
    """One kind of named row and the services that change it."""

    noun: str  # "company"
    plural: str  # "companies"
    url_prefix: str  # URL names: <prefix>_list, _edit, _merge, _delete
    model: type
    listing: Callable  # (user) -> the user's rows with contact_count
    get: Callable  # (user, pk) -> one row, or Http404
    rename: Callable  # (row, name)
    merge: Callable  # (kept, other): other goes into kept and is deleted
    delete: Callable  # (row)
    contact_filter: str  # the Contacts page's query parameter for it
    after_delete: str  # what happens to its contacts

    def url(self, action: str, *args) -> str:
        return reverse(f"{self.url_prefix}_{action}", args=args)

    @property
    def max_length(self) -> int:
        return self.model._meta.get_field("name").max_length


COMPANIES = Named(
    noun="company",
    plural="companies",
    url_prefix="company",
    model=Company,
    listing=lambda user: contact_selectors.company_list(user=user),
    get=lambda user, pk: contact_selectors.company_get(user=user, pk=pk),
    rename=lambda row, name: contact_services.company_update(company=row, name=name),
    merge=lambda kept, other: contact_services.company_merge(company=kept, other=other),
    delete=lambda row: contact_services.company_delete(company=row),
    contact_filter="company",
    after_delete="Its contacts and opportunities stay, with no company.",
)
TAGS = Named(
    noun="tag",
    plural="tags",
    url_prefix="tag",
    model=Tag,
    listing=lambda user: contact_selectors.tag_list(user=user),
    get=lambda user, pk: contact_selectors.tag_get(user=user, pk=pk),
    rename=lambda row, name: contact_services.tag_update(tag=row, name=name),
    merge=lambda kept, other: contact_services.tag_merge(tag=kept, other=other),
    delete=lambda row: contact_services.tag_delete(tag=row),
    contact_filter="tag",
    after_delete="Its contacts stay, without this tag.",
)


class NameForm(Form):
    """A company's or tag's name, within the model's limit (200 and 50 characters)."""

    def __init__(self, *args, named: Named, label: str = "Name", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"] = forms.CharField(label=label, max_length=named.max_length)

    def clean_name(self):
        name = one_line(self.cleaned_data["name"])
        if not name:
            raise ValidationError("Give a name.")
        return name


def _list(request, named: Named):
    search = request.GET.get("q", "").strip()[:200]
    rows = named.listing(request.user).order_by("name", "id")
    if search:
        rows = rows.filter(name__icontains=search)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "crm/named/list.html", {"named": named, "page": page, "search": search})


def _edit(request, named: Named, pk):
    """Rename. A name the user already has (in any case) is refused, with the offer to merge instead."""
    row = named.get(request.user, pk)
    form = NameForm(request.POST or None, named=named, initial={"name": row.name})
    existing = None
    if request.method == "POST" and form.is_valid():
        name = form.cleaned_data["name"]
        existing = contact_selectors.named_by(named.listing(request.user).exclude(pk=row.pk), name)
        if existing is not None:
            form.add_error("name", f"You already have a {named.noun} named “{existing.name}”. Merge into it instead?")
        else:
            try:
                named.rename(row, name)
            except (ValidationError, ApplicationError) as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, f"Renamed to “{row.name}”.")
                return redirect(named.url("list"))
    status = 400 if request.method == "POST" else 200
    return render(
        request, "crm/named/edit.html", {"named": named, "row": row, "form": form, "existing": existing}, status=status
    )


def _merge(request, named: Named, pk):
    """Merge this row into another one, named by the user (any case)."""
    row = named.get(request.user, pk)
    form = NameForm(request.POST or None, named=named, label=f"Merge into the {named.noun}")
    form.fields["name"].widget.attrs["list"] = "merge-choices"
    if request.method == "POST" and form.is_valid():
        others = named.listing(request.user)
        target = contact_selectors.named_by(others, form.cleaned_data["name"])
        if target is None:
            form.add_error("name", f"You have no {named.noun} named “{form.cleaned_data['name']}”.")
        elif target.pk == row.pk:
            form.add_error("name", f"Choose another {named.noun}: this is “{row.name}” itself.")
        else:
            named.merge(target, row)
            messages.success(request, f"Merged “{row.name}” into “{target.name}”.")
            return redirect(named.url("list"))
    choices = named.listing(request.user).exclude(pk=row.pk).order_by("name").values_list("name", flat=True)[:500]
    status = 400 if request.method == "POST" else 200
    return render(
        request, "crm/named/merge.html", {"named": named, "row": row, "form": form, "choices": choices}, status=status
    )


def _delete(request, named: Named, pk):
    row = named.get(request.user, pk)
    if request.method == "POST":
        named.delete(row)
        messages.success(request, f"Deleted the {named.noun} “{row.name}”.")
        return redirect(named.url("list"))
    count = row.contact_count
    return confirm_delete_page(
        request,
        heading=f"Delete the {named.noun} “{row.name}”?",
        summary={"goes": [], "stays": [f"{count} contact{'' if count == 1 else 's'}. {named.after_delete}"]},
        action=named.url("delete", row.pk),
        cancel=named.url("list"),
        button=f"Delete “{row.name}”",
        alternative=f"To keep its contacts together under another name, merge it into another {named.noun} instead.",
    )


def _views(named: Named) -> dict:
    def list_view(request):
        return _list(request, named)

    def edit_view(request, pk):
        return _edit(request, named, pk)

    def merge_view(request, pk):
        return _merge(request, named, pk)

    def delete_view(request, pk):
        return _delete(request, named, pk)

    return {
        name: page_view(view)
        for name, view in (("list", list_view), ("edit", edit_view), ("merge", merge_view), ("delete", delete_view))
    }


company_views = _views(COMPANIES)
tag_views = _views(TAGS)
