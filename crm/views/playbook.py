"""The Playbook page: the pathway's checklist with the rows that fulfil each step."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render

from config.idempotency import once_per_form_token
from crm.forms import PortfolioItemForm, add_service_errors
from crm.playbook import playbook_progress
from outreach.selectors import portfolio_item_list
from outreach.services import portfolio_item_create

from .common import page_view


@page_view
@once_per_form_token
def playbook(request):
    user = request.user
    form = PortfolioItemForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            item = portfolio_item_create(owner=user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Added “{item.title}” to your portfolio.")
            return redirect("playbook")
    steps = playbook_progress(user=user, pathway=user.profile.pathway)
    return render(
        request,
        "crm/playbook.html",
        {
            "steps": steps,
            "done": sum(1 for s in steps if s.done),
            "pathway": user.profile.get_pathway_display(),
            "portfolio": list(portfolio_item_list(user=user).order_by("-created_at", "-id")),
            "form": form,
        },
        status=400 if request.method == "POST" else 200,
    )
