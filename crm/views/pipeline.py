"""The pipeline board, moves between stages (only the legal ones), and a chat's prep brief."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from accounts.dates import ago
from accounts.errors import ApplicationError
from config.idempotency import once_per_form_token
from crm import selectors
from crm.forms import HeldForm, ScheduleForm, add_service_errors
from crm.markdown import render_markdown
from outreach.models import Stage
from outreach.pipeline import CLOSING_STAGES, FINAL_STAGES, MOVE_INTO, legal_moves, legal_next_stages
from outreach.selectors import conversation_get, conversation_suggests_no_response, max_nudges_for, question_list
from outreach.services import (
    IllegalTransition,
    agenda_items,
    conversation_transition,
    conversation_update,
    held_at_needed,
)
from outreach.services import conversation_delete as conversation_delete_service

from .common import confirm_delete_page, now_initial, page_view, safe_next, tz_of

# The conversation page lists this many of the bank's questions to pick an agenda from (#14).
BANK_ON_PAGE = 12


def card_moves(conversation) -> list[dict]:
    """A card's buttons (and so its drop targets): the legal moves, labelled, from the service's table.

    `asks` names the moment a move's form asks for: the chat's time to schedule it, or when it
    really happened to mark it held before its scheduled time.
    """
    return [
        {
            "stage": move.to,
            "label": move.label_from(conversation.stage),
            "asks": _asks(conversation, move),
            "closing": move.closing,
        }
        for move in legal_moves(conversation.stage)
    ]


def _asks(conversation, move) -> str | None:
    if "scheduled_for" in move.requires:
        return "scheduled_for"
    if "held_at" in move.accepts and held_at_needed(conversation):
        return "held_at"
    return None


# How long a card has waited, in the words of its stage: (phrase, the moment it counts from).
# The moment is the stage's own field where it has one, else when the card entered the stage.
WAITED = {
    Stage.PLANNED: ("planned {ago}", None),
    Stage.REQUESTED: ("asked {ago}", "requested_at"),
    Stage.SCHEDULED: ("chat {ago}", "scheduled_for"),
    Stage.HELD: ("held {ago}", "held_at"),
    Stage.THANKED: ("thanked {ago}", None),
    Stage.DECLINED: ("declined {ago}", None),
    Stage.NO_RESPONSE: ("asked {ago}, no reply", "requested_at"),
    Stage.CANCELLED: ("cancelled {ago}", None),
}


def _waited(card) -> tuple[str, object] | None:
    """("asked 5 days ago", the moment) for a board card from conversation_list (its history)."""
    phrase, field = WAITED[card.stage]
    history = getattr(card, "history", None)
    moment = getattr(card, field) if field else (history[-1].at if history else card.created_at)
    return (phrase.format(ago=ago(moment)), moment) if moment else None


def _board(user, *, stage: str = "", page: int = 1) -> dict:
    """The board's columns (bounded: each shows its first cards and a link to the rest); with
    `stage`, that column alone at `page`."""
    columns = selectors.pipeline_board(user=user, stage=stage, page=page)
    max_nudges = max_nudges_for(user)
    for column in columns:
        column["closing"] = column["stage"] in CLOSING_STAGES
        for card in column["cards"]:
            card.moves = card_moves(card)
            card.suggest_no_response = conversation_suggests_no_response(card, max_nudges=max_nudges)
            card.waited = _waited(card)
    return {
        "path_columns": [c for c in columns if not c["closing"]],
        "closing_columns": [c for c in columns if c["closing"]],
        "tz": tz_of(user),
    }


@page_view
def pipeline(request):
    page = request.GET.get("page", "1")
    board = _board(request.user, stage=request.GET.get("stage", ""), page=int(page) if page.isdigit() else 1)
    return render(request, "crm/pipeline.html", board)


def _board_answer(request, conversation, *, note: str = "", errors=(), status: int = 200):
    """A move made from the board with htmx: the board again, in place (scroll, open sections
    and focus kept by app.js), with what happened said in its status line."""
    context = {**_board(request.user), "note": note, "errors": list(errors), "moved": conversation.pk}
    return render(request, "crm/_board.html", context, status=status)


def _schedule_initial(conversation, tz):
    if conversation.scheduled_for:
        local = conversation.scheduled_for.astimezone(tz)
        return {
            "date": local.date(),
            "time": local.time().replace(second=0, microsecond=0),
            "location": conversation.location,
        }
    return {"location": conversation.location}


class _MovePage:
    """One move of one conversation from a page: the confirmation page (with the date form
    when the move needs a time), its submission, and the refusals of both."""

    def __init__(self, request, conversation, stage: str):
        self.request = request
        self.conversation = conversation
        self.stage = stage
        self.tz = tz_of(request.user)
        self.next_url = safe_next(request, reverse("pipeline"))
        self.form = None
        # Only a move that asks for a moment has a form: its page is where the date is chosen.
        asks = _asks(conversation, MOVE_INTO[stage]) if stage in MOVE_INTO else None
        if asks == "scheduled_for":
            self.form = ScheduleForm(request.POST or None, tz=self.tz, initial=_schedule_initial(conversation, self.tz))
        elif asks == "held_at":
            self.form = HeldForm(request.POST or None, tz=self.tz, initial=now_initial(self.tz))

    def page(self, status: int):
        context = {
            "conversation": self.conversation,
            "stage": self.stage,
            "form": self.form,
            "tz": self.tz,
            "next": self.next_url,
        }
        return render(self.request, "crm/conversation_move.html", context, status=status)

    def refuse(self, reasons: list[str]):
        """A filled-in date form comes back with the reasons; otherwise back to the board with them."""
        if self.form is not None and self.form.is_bound:
            for reason in reasons:
                self.form.add_error(None, reason)
            return self.page(400)
        if self._from_board():
            return _board_answer(self.request, self.conversation, errors=reasons, status=400)
        for reason in reasons:
            messages.error(self.request, reason)
        return redirect(self.next_url)

    def _from_board(self) -> bool:
        return bool(self.request.htmx) and self.request.POST.get("board") == "1"

    def show(self):
        if self.stage not in legal_next_stages(self.conversation.stage):
            return self.refuse([str(IllegalTransition(self.conversation.stage, self.stage))])
        return self.page(200)

    def submit(self):
        if self.form is not None and not self.form.is_valid():
            if self._from_board():
                errors = [m for messages_ in self.form.errors.values() for m in messages_]
                return _board_answer(self.request, self.conversation, errors=errors, status=400)
            return self.page(400)
        try:
            with transaction.atomic():
                self._apply()
        except ApplicationError as exc:  # IllegalTransition included
            return self.refuse([str(exc)])
        except ValidationError as exc:
            if self.form is not None and not self._from_board():
                add_service_errors(self.form, exc)
                return self.page(400)
            return self.refuse(exc.messages)
        note = f"{self.conversation.contact.full_name}: moved to {Stage(self.stage).label.lower()}."
        if self._from_board():
            return _board_answer(self.request, self.conversation, note=note)
        messages.success(self.request, note)
        return redirect(self.next_url)

    def _apply(self):
        conversation, form = self.conversation, self.form
        if form is None:
            conversation_transition(conversation=conversation, to_stage=self.stage)
            return
        if isinstance(form, HeldForm):
            conversation_transition(conversation=conversation, to_stage=self.stage, held_at=form.moment())
            return
        scheduled_for = form.scheduled_for()
        if form.cleaned_data["location"] != conversation.location:
            conversation_update(conversation=conversation, location=form.cleaned_data["location"])
        conversation_transition(conversation=conversation, to_stage=self.stage, scheduled_for=scheduled_for)


@page_view
@once_per_form_token
def conversation_move(request, pk):
    """POST {stage, [date, time, location]}: one legal move. GET ?stage=…: the move's own page
    (the date form for `scheduled`, also used when JavaScript is off or a date was missing)."""
    conversation = conversation_get(user=request.user, pk=pk)
    stage = request.POST.get("stage") if request.method == "POST" else request.GET.get("stage")
    if stage not in Stage.values:
        raise Http404("No such stage.")
    move = _MovePage(request, conversation, stage)
    return move.submit() if request.method == "POST" else move.show()


@page_view
def conversation_detail(request, pk):
    """The prep brief: who, where, how you met, your agenda, and what you learned before."""
    conversation = conversation_get(user=request.user, pk=pk)
    if request.method == "POST":
        fields = {
            name: request.POST.get(name, "") for name in ("agenda", "location", "outcome") if name in request.POST
        }
        try:
            conversation_update(conversation=conversation, **fields)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, "Saved.")
        return redirect("conversation_detail", pk=conversation.pk)
    brief = selectors.prep_brief(conversation=conversation)
    for note in brief["notes"]:
        note.html = render_markdown(note.body)
    return render(
        request,
        "crm/conversation_detail.html",
        {
            "conversation": conversation,
            "brief": brief,
            "moves": card_moves(conversation),
            "tz": tz_of(request.user),
            # "Build agenda" (#14): the agenda as a list, and the bank's questions of this kind.
            "agenda_items": agenda_items(conversation.agenda),
            "bank": list(question_list(user=request.user, kind=conversation.kind)[:BANK_ON_PAGE]),
            "agenda_final": conversation.stage in FINAL_STAGES,
        },
    )


@page_view
def conversation_delete(request, pk):
    """GET: what goes with a mistaken conversation. POST: delete it with its history."""
    conversation = conversation_get(user=request.user, pk=pk)
    contact = conversation.contact
    if request.method == "POST":
        conversation_delete_service(conversation=conversation)
        messages.success(request, f"Deleted the {conversation.get_kind_display().lower()} with {contact.full_name}.")
        return redirect("contact_detail", pk=contact.pk)
    return confirm_delete_page(
        request,
        heading=f"Delete the {conversation.get_kind_display().lower()} with {contact.full_name}?",
        summary=selectors.conversation_delete_summary(conversation=conversation),
        action=reverse("conversation_delete", args=[conversation.pk]),
        cancel=reverse("conversation_detail", args=[conversation.pk]),
        button="Delete this conversation",
        alternative="Did it just not happen? Cancelling it keeps the history; deleting is for an ask "
        "recorded by mistake.",
    )
