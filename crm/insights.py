"""The Insights page's figures (issue #14): what works, and how the weeks went.

Every figure is an aggregate query scoped to the user, grouped in the database by a bounded key
(a channel, a source, a template, a week, a local day), so the page costs the same number of
queries for 3 asks as for 3,000. Days and weeks are the user's (profile time zone).
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Count, DateField
from django.db.models.functions import TruncDate, TruncMonth, TruncWeek
from django.utils import timezone

from accounts.localtime import local_day_bounds, local_today, user_tz, week_start
from contacts.models import Source
from outreach.models import Conversation, Stage, StageChange, Touch
from outreach.pipeline import FUNNEL_STAGES
from outreach.selectors import asked_cohort, cohort_usage, fold_usage, template_stats, usage_figures

# The heatmap and the goal history cover this many ISO weeks, the current one included.
HISTORY_WEEKS = 12
# The template chart shows the most used templates, this many at most ("and N more").
TEMPLATES_SHOWN = 10
# Periods longer than this show the funnel per month instead of per week.
WEEKLY_FUNNEL_MAX_DAYS = 120


@dataclass
class Insights:
    days: int
    channels: list[dict]  # used ones only: {key, label, used, replies, reply_rate, accepted, ...}
    sources: list[dict]
    templates: list[dict]
    templates_more: int  # used templates left out of the chart
    funnel_unit: str  # "week" or "month"
    funnel: list[dict]  # {start: date, requested, scheduled, held, thanked}
    heatmap: list[list[dict]]  # HISTORY_WEEKS weeks of 7 days: {day, requests, chats, touches, total, future}
    goal: int
    goal_weeks: list[dict]  # {start: date, requests, met, current}
    streak: int | None  # weeks in a row meeting the goal (None without a goal)

    @property
    def asked(self) -> int:
        return sum(row["used"] for row in self.channels)

    @property
    def active(self) -> bool:
        return any(day["total"] for week in self.heatmap for day in week)


def _rows(usage: dict, choices) -> list[dict]:
    rows = []
    for value, label in choices:
        if value in usage:
            rows.append({"key": value, "label": label, **usage_figures(usage[value])})
    return rows


def _local_date(value, tz) -> date:
    """A truncated value as a local date (SQLite hands back dates, PostgreSQL may hand back datetimes)."""
    if isinstance(value, datetime):
        return (value.astimezone(tz) if timezone.is_aware(value) else value).date()
    return value


def _per_day(rows, tz) -> dict[date, int]:
    return {_local_date(day, tz): n for day, n in rows}


def _months(first: date, last: date) -> list[date]:
    months, month = [], first.replace(day=1)
    while month <= last:
        months.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    return months


def insights(*, user, days: int = 90, now: datetime | None = None) -> Insights:
    now = now or timezone.now()
    tz = user_tz(user)
    since = now - timedelta(days=days)
    today = local_today(user, now)

    # What works: of the asks sent in the period, replies per channel, source and template.
    cohort = asked_cohort(user=user, since=since, until=now)
    by_pair = cohort_usage(cohort, "contact__source", "channel")
    channels = _rows(fold_usage(by_pair, 1), Conversation.Channel.choices)
    sources = _rows(fold_usage(by_pair, 0), Source.choices)
    used_templates = [
        {"key": row["id"], "label": row["name"], **{k: v for k, v in row.items() if k not in ("id", "name")}}
        for row in template_stats(user=user, days=days, now=now)
        if row["used"]
    ]
    used_templates.sort(key=lambda row: (-row["used"], row["label"]))

    # The funnel over time: conversations reaching each stage, per local week (or month).
    unit = "week" if days <= WEEKLY_FUNNEL_MAX_DAYS else "month"
    trunc = TruncWeek if unit == "week" else TruncMonth
    reached = (
        StageChange.objects.filter(owner=user, stage__in=FUNNEL_STAGES, at__gte=since, at__lte=now)
        .annotate(bucket=trunc("at", tzinfo=tz, output_field=DateField()))
        .values_list("bucket", "stage")
        .annotate(n=Count("conversation", distinct=True))
        .order_by()
    )
    counts: dict[tuple[date, str], int] = {}
    for bucket, stage, n in reached:
        counts[(_local_date(bucket, tz), stage)] = n
    first_day = since.astimezone(tz).date()
    if unit == "week":
        first = week_start(first_day)
        starts = [first + timedelta(weeks=i) for i in range((today - first).days // 7 + 1)]
    else:
        starts = _months(first_day, today)
    funnel = [{"start": start, **{stage: counts.get((start, stage), 0) for stage in FUNNEL_STAGES}} for start in starts]

    # The last HISTORY_WEEKS ISO weeks, day by day on the user's clock.
    monday = week_start(today) - timedelta(weeks=HISTORY_WEEKS - 1)
    start, end = local_day_bounds(user, monday)[0], local_day_bounds(user, today)[1]

    def per_day(queryset, field="at"):
        return _per_day(
            queryset.filter(**{f"{field}__gte": start, f"{field}__lt": end})
            .annotate(day=TruncDate(field, tzinfo=tz))
            .values_list("day")
            .annotate(n=Count("id"))
            .order_by(),
            tz,
        )

    requests = per_day(StageChange.objects.filter(owner=user, stage=Stage.REQUESTED))
    chats = per_day(StageChange.objects.filter(owner=user, stage=Stage.HELD))
    touches = per_day(Touch.objects.filter(owner=user))
    heatmap = []
    for week in range(HISTORY_WEEKS):
        row = []
        for weekday in range(7):
            day = monday + timedelta(weeks=week, days=weekday)
            figures = {"requests": requests.get(day, 0), "chats": chats.get(day, 0), "touches": touches.get(day, 0)}
            row.append({"day": day, **figures, "total": sum(figures.values()), "future": day > today})
        heatmap.append(row)

    goal = user.profile.weekly_request_goal
    goal_weeks = []
    for week in heatmap:
        sent = sum(day["requests"] for day in week)
        goal_weeks.append({"start": week[0]["day"], "requests": sent, "met": bool(goal) and sent >= goal})
    goal_weeks[-1]["current"] = True
    streak = None
    if goal:
        # The week in progress adds to the streak once met; until then it does not break it.
        streak = 1 if goal_weeks[-1]["met"] else 0
        for week in reversed(goal_weeks[:-1]):
            if not week["met"]:
                break
            streak += 1

    return Insights(
        days=days,
        channels=channels,
        sources=sources,
        templates=used_templates[:TEMPLATES_SHOWN],
        templates_more=max(0, len(used_templates) - TEMPLATES_SHOWN),
        funnel_unit=unit,
        funnel=funnel,
        heatmap=heatmap,
        goal=goal,
        goal_weeks=goal_weeks,
        streak=streak,
    )
