"""Targets (issue #14): the LAMP list of target employers, edited inline, with coverage and next actions."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.errors import ApplicationError
from config.idempotency import once_per_form_token
from contacts.selectors import company_get
from contacts.services import company_targets_add, company_update
from crm import targets as selectors
from crm.forms import TargetForm, TargetsAddForm, add_service_errors

from .common import page_view


def _page_number(request) -> int:
    try:
        return max(1, int(request.GET.get("page", 1)))
    except (TypeError, ValueError):
        return 1


def _context(request, *, add_form=None) -> dict:
    user = request.user
    page, rows = selectors.target_page(user=user, page=_page_number(request))
    count = page.paginator.count
    context = {
        "page": page,
        "rows": [{"row": row, "form": TargetForm(initial=_initial(row.company))} for row in rows],
        "count": count,
        "goal": selectors.TARGET_GOAL,
    }
    if count < selectors.TARGET_GOAL:
        suggestions = selectors.target_suggestions(user=user)
        context["add_form"] = add_form or TargetsAddForm(suggestions=suggestions)
        context["suggestions"] = suggestions
    return context


def _initial(company) -> dict:
    return {"target": company.target, "motivation": company.motivation, "posting": company.posting}


@page_view
def targets(request):
    return render(request, "crm/targets.html", _context(request))


@page_view
@require_POST
def target_edit(request, pk):
    """Save one target's toggle and scores. htmx gets the row back (focus stays in it; the ranking
    refreshes on the next load); a plain form POST goes back to the page."""
    company = company_get(user=request.user, pk=pk)
    form = TargetForm(request.POST)
    status = 200
    if form.is_valid():
        try:
            company_update(company=company, **form.cleaned_data)
        except (ValidationError, ApplicationError) as exc:
            add_service_errors(form, exc)
    if form.errors:
        status = 400
    elif not request.htmx:
        verb = "saved" if company.target else "no longer a target"
        messages.success(request, f"{company.name}: {verb}.")
        return redirect("targets")
    if request.htmx:
        row = next((r for r in selectors.target_page(user=request.user)[1] if r.company.pk == company.pk), None)
        if row is None:  # no longer a target (or off the first page): a row without coverage
            row = selectors.TargetRow(company=company_get(user=request.user, pk=pk))
        shown = form if form.errors else TargetForm(initial=_initial(row.company))
        return render(request, "crm/_target_row.html", {"item": {"row": row, "form": shown}}, status=status)
    context = _context(request)
    context["errors"] = form.errors
    return render(request, "crm/targets.html", context, status=status)


@page_view
@once_per_form_token
@require_POST
def targets_add(request):
    """Add up to five companies by name (matched or created) and any ticked suggestions, all or nothing."""
    form = TargetsAddForm(request.POST, suggestions=selectors.target_suggestions(user=request.user))
    if form.is_valid():
        try:
            added = company_targets_add(owner=request.user, **form.service_arguments())
        except (ValidationError, ApplicationError) as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Added to your targets: {', '.join(c.name for c in added)}.")
            return redirect("targets")
    return render(request, "crm/targets.html", _context(request, add_form=form), status=400)
