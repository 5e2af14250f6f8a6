"""Today: the five-minute morning routine."""

from django.shortcuts import render
from django.utils import timezone

from crm import selectors
from crm.playbook import playbook_progress
from crm.selectors import dashboard_metrics
from outreach.capture.selectors import capture_offers_open
from outreach.pipeline import FUNNEL_STAGES, MOVE_INTO, Stage
from outreach.selectors import replies_to_answer, second_person_suggestions

from .common import page_view, snooze_choices
from .pipeline import card_moves

REPLIES_SHOWN = 10
SECOND_PERSONS_SHOWN = 5


def _replies(user) -> list:
    """Requests the contact answered, each with the moves that answer them (schedule, declined)."""
    replies = list(replies_to_answer(user=user)[:REPLIES_SHOWN])
    for conversation in replies:
        conversation.moves = [m for m in card_moves(conversation) if MOVE_INTO[m["stage"]].answer]
    return replies


@page_view
def today(request):
    user = request.user
    now = timezone.now()
    metrics = dashboard_metrics(user=user, now=now, breakdowns=False)
    overdue, due_today = selectors.follow_ups_due(user=user, now=now, totals=metrics["follow_ups"])
    funnel = metrics.get("funnel", {})
    top = max([funnel.get(step, 0) for step in FUNNEL_STAGES] + [1])
    week = metrics.get("week", {})
    goal = week.get("goal") or 0
    sent = week.get("requests_sent", 0)
    steps = playbook_progress(user=user, pathway=user.profile.pathway, with_evidence=False)
    chats, more_chats = selectors.chats_ahead(user=user)
    planned, planned_total = selectors.planned_queue(user=user, total=metrics["pipeline"][Stage.PLANNED])
    context = {
        "metrics": metrics,
        "chats": chats,
        "more_chats": more_chats,
        "replies": _replies(user),
        "offers": list(capture_offers_open(user=user)[:REPLIES_SHOWN]),
        "overdue": overdue,
        "due_today": due_today,
        "snooze_choices": snooze_choices(user),
        "reconnect": selectors.reconnect_due_contacts(user=user),
        # The counts are in the metrics already: no list query when there is nothing to list.
        "failed": selectors.failed_reminders(user=user) if metrics.get("failed_reminders") else [],
        "job_changes": selectors.recent_job_changes(user=user) if metrics.get("job_changes") else [],
        # The 3B7 routine's day 3 (issue #14): crm/_second_person.html.
        "second_persons": second_person_suggestions(user=user, now=now, limit=SECOND_PERSONS_SHOWN),
        "funnel": [
            {"step": step, "count": funnel.get(step, 0), "pct": round(100 * funnel.get(step, 0) / top)}
            for step in FUNNEL_STAGES
        ],
        "response_rate_pct": None if metrics.get("response_rate") is None else round(100 * metrics["response_rate"]),
        "week_sent": sent,
        "week_goal": goal,
        "week_pct": min(100, round(100 * sent / goal)) if goal else 100,
        "planned": planned,
        "planned_more": planned_total - len(planned),
        "planned_total": planned_total,
        "week_left": max(0, goal - sent),
        "pipeline_counts": metrics.get("pipeline", {}),
        "playbook_done": sum(1 for s in steps if s.done),
        "playbook_total": len(steps),
    }
    return render(request, "crm/today.html", context)
