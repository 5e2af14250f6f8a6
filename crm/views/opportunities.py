"""The Opportunities board (issue #14): a column per status, moves along the legal ones only
(crm.services.OPPORTUNITY_MOVES), create/edit/delete, and "Track as opportunity" from a note."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.errors import ApplicationError
from config.idempotency import once_per_form_token
from crm import selectors
from crm.forms import NoteOpportunityForm, OpportunityForm, add_service_errors
from crm.models import Opportunity
from crm.services import (
    opportunity_create,
    opportunity_delete,
    opportunity_from_note,
    opportunity_legal_moves,
    opportunity_move,
    opportunity_title_from_note,
    opportunity_update,
)

from .common import confirm_delete_page, page_view, service_error_messages, tz_of

# How a move reads on its button, by the status it moves to.
MOVE_LABELS = {
    Opportunity.Status.APPLYING: "Applying",
    Opportunity.Status.APPLIED: "Applied",
    Opportunity.Status.INTERVIEWING: "Interviewing",
    Opportunity.Status.OFFER: "Got an offer",
    Opportunity.Status.REJECTED: "Rejected",
    Opportunity.Status.WITHDRAWN: "Withdraw",
}


def card_moves(opportunity) -> list[dict]:
    return [
        {
            "status": s,
            "label": MOVE_LABELS[s],
            "closing": s in (Opportunity.Status.REJECTED, Opportunity.Status.WITHDRAWN),
        }
        for s in opportunity_legal_moves(opportunity.status)
    ]


def _board(user, *, status: str = "", page: int = 1) -> dict:
    columns = selectors.opportunity_board(user=user, status=status, page=page)
    for column in columns:
        for card in column["cards"]:
            card.moves = card_moves(card)
    return {"columns": columns, "single": bool(status) and len(columns) == 1}


def _page_number(value) -> int:
    return int(value) if value and value.isdigit() and len(value) < 7 else 1


@page_view
def opportunity_board(request):
    board = _board(request.user, status=request.GET.get("status", ""), page=_page_number(request.GET.get("page")))
    return render(request, "crm/opportunities/board.html", board)


def _from_board(request) -> bool:
    return bool(request.htmx) and request.POST.get("board") == "1"


@page_view
@once_per_form_token
@require_POST
def opportunity_move_view(request, pk):
    """POST {status}: one legal move; an illegal one is refused naming the legal moves."""
    opportunity = selectors.opportunity_get(user=request.user, pk=pk)
    status = request.POST.get("status", "")
    errors, note = [], ""
    try:
        opportunity_move(opportunity=opportunity, status=status)
    except (ApplicationError, ValidationError) as exc:
        errors = service_error_messages(exc)
    else:
        note = f"“{opportunity.title}”: moved to {opportunity.get_status_display().lower()}."
    if _from_board(request):
        context = {**_board(request.user), "note": note, "errors": errors, "moved": opportunity.pk}
        return render(request, "crm/opportunities/_board.html", context, status=400 if errors else 200)
    if errors:
        # Without JavaScript the refusal is said on the board; the status says it was refused.
        return render(request, "crm/opportunities/board.html", {**_board(request.user), "errors": errors}, status=400)
    messages.success(request, note)
    return redirect("opportunity_board")


def _save(request, form, *, instance=None):
    if not form.is_valid():
        return None
    data = dict(form.cleaned_data)
    try:
        if instance is None:
            return opportunity_create(owner=request.user, **data)
        return opportunity_update(opportunity=instance, **data)
    except (ApplicationError, ValidationError) as exc:
        add_service_errors(form, exc)
        return None


@page_view
@once_per_form_token
def opportunity_create_view(request):
    form = OpportunityForm(request.POST or None, user=request.user)
    if request.method == "POST":
        opportunity = _save(request, form)
        if opportunity is not None:
            messages.success(request, f"Tracking “{opportunity.title}”.")
            return redirect("opportunity_board")
    return render(
        request,
        "crm/opportunities/form.html",
        {"form": form, "heading": "New opportunity", "button": "Add opportunity"},
        status=400 if form.is_bound else 200,
    )


@page_view
def opportunity_edit(request, pk):
    opportunity = selectors.opportunity_get(user=request.user, pk=pk)
    form = OpportunityForm(request.POST or None, user=request.user, instance=opportunity)
    if request.method == "POST":
        if _save(request, form, instance=opportunity) is not None:
            messages.success(request, f"Saved “{opportunity.title}”.")
            return redirect("opportunity_board")
    return render(
        request,
        "crm/opportunities/form.html",
        {"form": form, "opportunity": opportunity, "heading": f"Edit “{opportunity.title}”", "button": "Save"},
        status=400 if form.is_bound else 200,
    )


@page_view
def opportunity_delete_view(request, pk):
    opportunity = selectors.opportunity_get(user=request.user, pk=pk)
    if request.method == "POST":
        opportunity_delete(opportunity=opportunity)
        messages.success(request, f"Deleted “{opportunity.title}”.")
        return redirect("opportunity_board")
    return confirm_delete_page(
        request,
        heading=f"Delete the opportunity “{opportunity.title}”?",
        summary={"goes": ["This opportunity and its notes"], "stays": ["Its company, referrer and conversation"]},
        action=reverse("opportunity_delete", args=[opportunity.pk]),
        cancel=reverse("opportunity_board"),
        button="Delete this opportunity",
    )


@page_view
@once_per_form_token
def note_opportunity(request, pk):
    """GET: the small "Track as opportunity" form as a page. POST: create the opportunity (and
    the `apply` follow-up when asked); a double click creates one (form token)."""
    note = selectors.note_get(user=request.user, pk=pk)
    form = NoteOpportunityForm(
        request.POST or None, note=note, initial={"title": opportunity_title_from_note(note.body)}
    )
    if request.method == "POST" and form.is_valid():
        try:
            opportunity, follow_up = opportunity_from_note(
                note=note, title=form.cleaned_data["title"], apply_due_on=form.cleaned_data["apply_on"]
            )
        except (ApplicationError, ValidationError) as exc:
            add_service_errors(form, exc)
        else:
            done = f"Tracking “{opportunity.title}”"
            if follow_up is not None:
                due = timezone.localtime(follow_up.due_at, tz_of(request.user))
                done += f"; a reminder to apply is due {due:%-d %b}"
            messages.success(request, done + ".")
            return redirect("opportunity_board")
    return render(
        request,
        "crm/opportunities/from_note.html",
        {"form": form, "note": note},
        status=400 if form.is_bound else 200,
    )
