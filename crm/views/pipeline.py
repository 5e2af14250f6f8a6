"""The pipeline board, moves between stages (only the legal ones), and a chat's prep brief."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from accounts.errors import ApplicationError
from crm import selectors
from crm.forms import ScheduleForm, add_service_errors
from crm.markdown import render_markdown
from outreach.models import Stage
from outreach.selectors import conversation_get, conversation_suggests_no_response
from outreach.services import (
    IllegalTransition,
    conversation_transition,
    conversation_update,
    legal_next_stages,
)

from .common import page_view, safe_next, tz_of

MOVE_LABELS = {
    Stage.REQUESTED: "Mark requested",
    Stage.SCHEDULED: "Schedule",
    Stage.HELD: "Mark held",
    Stage.THANKED: "Mark thanked",
    Stage.DECLINED: "Declined",
    Stage.NO_RESPONSE: "No response",
    Stage.CANCELLED: "Cancel",
}


def card_moves(conversation) -> list[dict]:
    """The legal moves of a card, read from the service's table (rescheduling has its own label)."""
    moves = []
    for stage in legal_next_stages(conversation.stage):
        label = "Reschedule" if stage == conversation.stage == Stage.SCHEDULED else MOVE_LABELS[stage]
        if stage == Stage.REQUESTED and conversation.stage == Stage.NO_RESPONSE:
            label = "Ask again"
        moves.append({"stage": stage, "label": label, "needs_time": stage == Stage.SCHEDULED})
    return moves


@page_view
def pipeline(request):
    user = request.user
    columns = selectors.pipeline_board(user=user)
    max_nudges = user.profile.max_nudges
    for column in columns:
        for card in column["cards"]:
            card.moves = card_moves(card)
            card.suggest_no_response = conversation_suggests_no_response(card, max_nudges=max_nudges)
    return render(request, "crm/pipeline.html", {"columns": columns, "tz": tz_of(user)})


def _schedule_initial(conversation, tz):
    if conversation.scheduled_for:
        local = conversation.scheduled_for.astimezone(tz)
        return {
            "date": local.date(),
            "time": local.time().replace(second=0, microsecond=0),
            "location": conversation.location,
        }
    return {"location": conversation.location}


@page_view
def conversation_move(request, pk):
    """POST {stage, [date, time, location]}: one legal move. GET ?stage=…: the move's own page
    (the date form for `scheduled`, also used when JavaScript is off or a date was missing)."""
    conversation = conversation_get(user=request.user, pk=pk)
    tz = tz_of(request.user)
    next_url = safe_next(request, reverse("pipeline"))
    stage = request.POST.get("stage") if request.method == "POST" else request.GET.get("stage")
    if stage not in Stage.values:
        raise Http404("No such stage.")
    form = (
        ScheduleForm(request.POST or None, tz=tz, initial=_schedule_initial(conversation, tz))
        if stage == Stage.SCHEDULED
        else None
    )

    def page(status):
        return render(
            request,
            "crm/conversation_move.html",
            {
                "conversation": conversation,
                "stage": stage,
                "form": form,
                "tz": tz,
                "next": next_url,
            },
            status=status,
        )

    def refuse(messages_):
        if form is None:
            for message in messages_:
                messages.error(request, message)
            return redirect(next_url)
        for message in messages_:
            form.add_error(None, message)
        return page(400)

    if request.method != "POST":
        if stage not in legal_next_stages(conversation.stage):
            return refuse([str(IllegalTransition(conversation.stage, stage))])
        return page(200)
    if form is not None and not form.is_valid():
        return page(400)
    try:
        with transaction.atomic():
            if form is None:
                conversation_transition(conversation=conversation, to_stage=stage)
            else:
                scheduled_for = form.scheduled_for()
                if form.cleaned_data["location"] != conversation.location:
                    conversation_update(conversation=conversation, location=form.cleaned_data["location"])
                conversation_transition(conversation=conversation, to_stage=stage, scheduled_for=scheduled_for)
    except ApplicationError as exc:  # IllegalTransition included
        return refuse([str(exc)])
    except ValidationError as exc:
        if form is not None:
            add_service_errors(form, exc)
            return page(400)
        return refuse(exc.messages)
    messages.success(request, f"{conversation.contact.full_name}: moved to {Stage(stage).label.lower()}.")
    return redirect(next_url)


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
        },
    )
