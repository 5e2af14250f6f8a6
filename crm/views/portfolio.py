"""Portfolio pages (issue #14): the list of pieces, and a piece's page gathering the feedback
notes from the conversations that point at it, where its status changes."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from crm import selectors
from crm.forms import PortfolioStatusForm
from crm.markdown import render_markdown
from outreach.services import portfolio_item_update

from .common import page_view, service_error_messages


@page_view
def portfolio_list(request):
    page = Paginator(selectors.portfolio_items(user=request.user), selectors.PORTFOLIO_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "crm/portfolio/list.html", {"page": page, "items": page.object_list})


@page_view
def portfolio_detail(request, pk):
    item = selectors.portfolio_item_get(user=request.user, pk=pk)
    feedback = selectors.portfolio_feedback(item=item)
    for note in feedback["notes"]:
        note.html = render_markdown(note.body)
    return render(
        request,
        "crm/portfolio/detail.html",
        {"item": item, "feedback": feedback, "status_form": PortfolioStatusForm(initial={"status": item.status})},
    )


@page_view
@require_POST
def portfolio_status(request, pk):
    """POST {status}: idea, drafting, ready or shared (a repeat changes nothing)."""
    item = selectors.portfolio_item_get(user=request.user, pk=pk)
    form = PortfolioStatusForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
        return redirect("portfolio_detail", pk=item.pk)
    try:
        portfolio_item_update(item=item, status=form.cleaned_data["status"])
    except ValidationError as exc:
        for message in service_error_messages(exc):
            messages.error(request, message)
    else:
        messages.success(request, f"“{item.title}” is now {item.get_status_display().lower()}.")
    return redirect("portfolio_detail", pk=item.pk)
