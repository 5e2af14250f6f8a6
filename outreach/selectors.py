"""Reads for the pipeline: conversations, follow-ups, templates, reminders — one user's rows each.

`*_get(*, user, pk)` getters answer Http404 alike for a missing row and another user's
(accounts.selectors.scoped_get); pages, the calendar and the e-mail links all use them.
"""

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from statistics import NormalDist

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber
from django.utils import timezone

from accounts.errors import ApplicationError
from accounts.localtime import local_day_bounds, local_today, this_week_start, workdays
from accounts.models import Routine, profile_setting
from accounts.selectors import scoped_get
from contacts.models import Contact
from contacts.selectors import intro_paths, reconnect_due_q, uncovered_target_list

from .models import (
    Conversation,
    FollowUp,
    MessageTemplate,
    PortfolioItem,
    Question,
    Reminder,
    Stage,
    StageChange,
    Touch,
)
from .pipeline import OPEN_STAGES, REPLY_STAGES, RESPONSE_STAGES

# Completing one of these follow-ups means the user was in touch with the contact.
TOUCHING_FOLLOW_UPS = (FollowUp.Kind.NUDGE, FollowUp.Kind.THANK_YOU, FollowUp.Kind.RECONNECT)


def _nudges_this_round(conversation_ref, round_ref) -> QuerySet[FollowUp]:
    """A conversation's nudges opened since its latest request was recorded: asking again
    (no_response -> requested) starts a new round of up to max_nudges."""
    round_start = Subquery(
        StageChange.objects.filter(conversation=round_ref, stage=Stage.REQUESTED)
        .order_by("-recorded_at", "-id")
        .values("recorded_at")[:1]
    )
    return FollowUp.objects.filter(conversation=conversation_ref, kind=FollowUp.Kind.NUDGE, created_at__gte=round_start)


def nudges_this_round_of(conversation_ref) -> QuerySet[FollowUp]:
    """The same, for an expression (e.g. OuterRef("conversation_id") in a subquery)."""
    return _nudges_this_round(conversation_ref, conversation_ref)


def nudges_this_round(conversation: Conversation) -> QuerySet[FollowUp]:
    return _nudges_this_round(conversation.pk, conversation.pk)


def conversation_list(*, user) -> QuerySet[Conversation]:
    """The user's conversations with contact, stage history and the two nudge counts that
    decide `suggest_no_response` (see conversation_suggests_no_response), in fixed queries."""
    this_round = _nudges_this_round(OuterRef("pk"), OuterRef(OuterRef("pk")))
    done_this_round = (
        this_round.filter(status=FollowUp.Status.DONE)
        .order_by()
        .values("conversation")
        .annotate(n=Count("id"))
        .values("n")
    )
    return (
        Conversation.objects.filter(owner=user)
        .select_related("contact", "contact__company", "template", "portfolio_item")
        .prefetch_related(
            Prefetch("stage_changes", queryset=StageChange.objects.order_by("at", "id"), to_attr="history")
        )
        .annotate(
            open_nudges_this_round=Exists(this_round.filter(status=FollowUp.Status.OPEN)),
            done_nudges_this_round=Coalesce(Subquery(done_this_round, output_field=IntegerField()), Value(0)),
        )
    )


def conversation_get(*, user, pk) -> Conversation:
    """One of the user's conversations with its contact, company, template and portfolio item;
    Http404 alike for a missing one and another user's."""
    conversations = Conversation.objects.filter(owner=user).select_related(
        "contact", "contact__company", "template", "portfolio_item"
    )
    return scoped_get(conversations, pk=pk, not_found="No such conversation.")


# The 3B7 routine (issue #14): one nudge, 7 business days after the request.
THREE_B_SEVEN_NUDGE_DAYS = 7
THREE_B_SEVEN_SECOND_PERSON_DAYS = 3


def max_nudges_for(user) -> int:
    """How many nudges a request gets in one round: `max_nudges`, or one under the 3B7 routine
    ("follow up once"). The one place that decides it, for planning and for suggesting no_response."""
    if profile_setting(user, "routine") == Routine.THREE_B_SEVEN:
        return 1
    return profile_setting(user, "max_nudges")


def conversation_suggests_no_response(conversation: Conversation, *, max_nudges: int) -> bool:
    """The last nudge of this round went unanswered: suggest closing the ask (no_response)
    rather than nudging again. `conversation` comes from conversation_list (its annotations)."""
    return (
        conversation.stage == Stage.REQUESTED
        and not conversation.open_nudges_this_round
        and conversation.done_nudges_this_round >= max_nudges
    )


def stages_reached(*, user) -> dict[int, set[str]]:
    """Every stage each of the user's conversations ever entered, by conversation id (one query).

    The stage history decides what a conversation reached, not its current stage: a chat
    that was scheduled and then cancelled has reached requested and scheduled.
    """
    reached: dict[int, set[str]] = {}
    rows = StageChange.objects.filter(owner=user).order_by().values_list("conversation_id", "stage").distinct()
    for conversation_id, stage in rows:
        reached.setdefault(conversation_id, set()).add(stage)
    return reached


def open_asks(*, user, kind: str, contact_ids) -> QuerySet[Conversation]:
    """The user's open asks (OPEN_STAGES) of one kind with any of these contacts: a contact
    has at most one at a time unless the user insists (issue #10)."""
    return Conversation.objects.filter(owner=user, kind=kind, contact_id__in=contact_ids, stage__in=OPEN_STAGES)


def replies_to_answer(*, user) -> QuerySet[Conversation]:
    """Requests the contact has answered and the user has not moved on from yet (schedule the
    chat, or mark it declined), the latest reply first."""
    return (
        Conversation.objects.filter(
            owner=user, stage__in=REPLY_STAGES, replied_at__isnull=False, replied_at__gte=F("requested_at")
        )
        .select_related("contact", "contact__company")
        .order_by("-replied_at", "-id")
    )


def touch_list(*, user) -> QuerySet[Touch]:
    return Touch.objects.filter(owner=user).prefetch_related(
        Prefetch("contacts", queryset=Contact.objects.only("id", "first_name", "last_name").order_by("id"))
    )


def last_contact_on_record(*, contact) -> datetime | None:
    """The latest moment on record of being in touch with this contact, from what still exists:
    their touches, held chats, thank-yous, completed nudge / thank-you / reconnect follow-ups,
    and notes logged on a conversation (the touches outreach.services.record_touch counts).

    A date that came in through an import (or a backup) is a value, not an event: it cannot
    be worked out again, so a caller only asks when the date it would replace was a touch's."""
    owner_id = contact.owner_id
    moments = [
        Touch.objects.filter(owner_id=owner_id, contacts=contact).aggregate(m=Max("at"))["m"],
        Conversation.objects.filter(owner_id=owner_id, contact=contact).aggregate(m=Max("held_at"))["m"],
        StageChange.objects.filter(owner_id=owner_id, conversation__contact=contact, stage=Stage.THANKED).aggregate(
            m=Max("at")
        )["m"],
        FollowUp.objects.filter(
            owner_id=owner_id, contact=contact, status=FollowUp.Status.DONE, kind__in=TOUCHING_FOLLOW_UPS
        ).aggregate(m=Max("completed_at"))["m"],
        # Notes live in crm, above this app: reached by their relation, not imported.
        contact.notes.filter(conversation__isnull=False).aggregate(m=Max("created_at"))["m"],
    ]
    known = [moment for moment in moments if moment is not None]
    return max(known) if known else None


def touch_get(*, user, pk) -> Touch:
    return scoped_get(touch_list(user=user), pk=pk)


def follow_up_list(*, user) -> QuerySet[FollowUp]:
    return FollowUp.objects.filter(owner=user).select_related("contact", "conversation")


def follow_up_get(*, user, pk) -> FollowUp:
    """One of the user's follow-ups with its contact (and company) and conversation."""
    follow_ups = follow_up_list(user=user).select_related("contact__company")
    return scoped_get(follow_ups, pk=pk, not_found="No such follow-up.")


def iso_week_bounds(user, now: datetime) -> tuple[datetime, datetime]:
    """[Monday 00:00, next Monday 00:00) of the current ISO week on the user's clock."""
    monday = this_week_start(user, now)
    return local_day_bounds(user, monday)[0], local_day_bounds(user, monday + timedelta(days=6))[1]


def requests_sent_in_week(user, now: datetime) -> int:
    """Requests sent (moves to `requested`, asking again included) in the ISO week holding `now`,
    on the user's clock: the figure the weekly goal is measured against."""
    week_start, week_end = iso_week_bounds(user, now)
    return StageChange.objects.filter(owner=user, stage=Stage.REQUESTED, at__gte=week_start, at__lt=week_end).count()


FOLLOW_UP_DUE = ("overdue", "today", "week")


def follow_up_due_q(*, user, due: str, now: datetime | None = None) -> Q:
    """The one definition of when a follow-up is due, on the user's clock, shared by the API's
    `due` filter, the dashboard counts and the Today page:
    overdue = open and already past due; today = due from now to the end of the local day;
    week = due from now to the end of the ISO week (Sunday midnight, local)."""
    now = now or timezone.now()
    if due == "overdue":
        return Q(status=FollowUp.Status.OPEN, due_at__lt=now)
    if due == "today":
        return Q(due_at__gte=now, due_at__lt=local_day_bounds(user, local_today(user, now))[1])
    if due == "week":
        return Q(due_at__gte=now, due_at__lt=iso_week_bounds(user, now)[1])
    raise ValueError(f"Unknown due window: {due!r}")


def template_list(*, user) -> QuerySet[MessageTemplate]:
    return MessageTemplate.objects.filter(owner=user)


def template_get(*, user, pk) -> MessageTemplate:
    return scoped_get(template_list(user=user), pk=pk, not_found="No such template.")


def reminder_list(*, user) -> QuerySet[Reminder]:
    return Reminder.objects.filter(owner=user)


def portfolio_item_list(*, user) -> QuerySet[PortfolioItem]:
    """Portfolio items with the feedback conversations that point at them."""
    feedback = Conversation.objects.filter(owner=user).select_related("contact").order_by("-created_at", "-id")
    return PortfolioItem.objects.filter(owner=user).prefetch_related(
        Prefetch("conversations", queryset=feedback, to_attr="feedback_conversations")
    )


# --- the weekly review (issue #14) -----------------------------------------------------------

TARGETS_NAMED_IN_REVIEW = 5


def week_in_review(*, user, start: datetime, end: datetime) -> dict:
    """What happened in [start, end): the figures the Monday review reports, one query each.

    A reply counts in the week it arrived (replied_at: set by a reply or by the ask moving to
    scheduled or declined); a chat in the week it was held; a follow-up when it was done.
    """
    targets = uncovered_target_list(user=user)
    return {
        "asks_sent": StageChange.objects.filter(owner=user, stage=Stage.REQUESTED, at__gte=start, at__lt=end).count(),
        "replies": Conversation.objects.filter(owner=user, replied_at__gte=start, replied_at__lt=end).count(),
        "chats_held": Conversation.objects.filter(owner=user, held_at__gte=start, held_at__lt=end).count(),
        "follow_ups_closed": FollowUp.objects.filter(
            owner=user, status=FollowUp.Status.DONE, completed_at__gte=start, completed_at__lt=end
        ).count(),
        "targets_without_contact": targets.count(),
        "targets_named": list(targets[:TARGETS_NAMED_IN_REVIEW]),
    }


# A booster not in touch for this long is worth a message (or sooner when their reconnect is due).
BOOSTER_QUIET_DAYS = 30


@dataclass(frozen=True)
class Suggestion:
    """Someone worth reaching next, and why: `kind` names the source ("second_person",
    "booster"), `reason` is the sentence shown to the user."""

    contact: Contact
    kind: str
    reason: str


def _second_person_suggestions(*, user, now: datetime, limit: int) -> list[Suggestion]:
    return [
        Suggestion(
            contact=s.candidate,
            kind="second_person",
            reason=f"{s.conversation.contact.full_name} at {s.company.name} has not replied in 3 business "
            f"days: try a second person there (3B7).",
        )
        for s in second_person_suggestions(user=user, now=now, limit=limit)
    ]


def _quiet_booster_suggestions(*, user, now: datetime, limit: int) -> list[Suggestion]:
    """Boosters (they reply fast) with no open ask, not in touch for BOOSTER_QUIET_DAYS days or
    whose reconnect is due; the longest quiet first. One query."""
    open_ask = Conversation.objects.filter(owner=user, contact=OuterRef("pk"), stage__in=OPEN_STAGES)
    quiet = Q(last_contacted_at__isnull=True) | Q(last_contacted_at__lt=now - timedelta(days=BOOSTER_QUIET_DAYS))
    boosters = (
        Contact.objects.filter(owner=user, archived=False, responsiveness=Contact.Responsiveness.BOOSTER)
        .filter(quiet | reconnect_due_q(now))
        .exclude(Exists(open_ask))
        .select_related("company")
        .order_by(F("last_contacted_at").asc(nulls_first=True), "id")[:limit]
    )
    suggestions = []
    for contact in boosters:
        if contact.last_contacted_at is None:
            since = "never in touch"
        else:
            since = f"last in touch {(now - contact.last_contacted_at).days} days ago"
        suggestions.append(
            Suggestion(contact=contact, kind="booster", reason=f"A booster (replies within 3 business days); {since}.")
        )
    return suggestions


def _warm_intro_suggestions(*, user, now: datetime, limit: int) -> list[Suggestion]:
    """For the highest-ranked target companies with no contact yet (LAMP order), the best
    contact who could introduce the user there (contacts.selectors.intro_paths)."""
    suggestions = []
    for company in uncovered_target_list(user=user)[:limit]:
        paths = intro_paths(user=user, company=company, limit=1)
        if paths:
            path = paths[0]
            suggestions.append(
                Suggestion(
                    contact=path.contact,
                    kind="warm_intro",
                    reason=f"A warm intro to {company.name}, a target with no contact yet: {path.reason}",
                )
            )
    return suggestions


# The sources of worth_reaching_next, most pressing first: each is source(*, user, now, limit)
# -> list[Suggestion]. A new source (e.g. warm intros) is one more function here.
WORTH_REACHING_SOURCES = [_second_person_suggestions, _warm_intro_suggestions, _quiet_booster_suggestions]


def worth_reaching_next(*, user, now: datetime | None = None, limit: int = 3) -> list[Suggestion]:
    """The contacts most worth reaching next, with why: a second person due on a 3B7 day, then
    a warm intro to a target with no contact yet, then a booster gone quiet
    (WORTH_REACHING_SOURCES in order), each contact once, at most `limit`.
    Bounded by `limit`: each source reads at most `limit` rows, and warm intros look up the
    paths of at most `limit` targets (intro_paths: five queries each)."""
    now = now or timezone.now()
    found: list[Suggestion] = []
    seen: set[int] = set()
    for source in WORTH_REACHING_SOURCES:
        for suggestion in source(user=user, now=now, limit=limit):
            if suggestion.contact.pk not in seen:
                seen.add(suggestion.contact.pk)
                found.append(suggestion)
            if len(found) >= limit:
                return found
    return found


# --- templates that learn (issue #14) ------------------------------------------------------


def responded_exists() -> Exists:
    """The conversation reached one of RESPONSE_STAGES (scheduled or declined): their answer."""
    return Exists(StageChange.objects.filter(conversation=OuterRef("pk"), stage__in=RESPONSE_STAGES))


# "Replied" in issue #14's sense, on conversations annotated with `responded=responded_exists()`:
# an answer, or a reply recorded (replied_at).
REPLIED = Q(responded=True) | Q(replied_at__isnull=False)


def asked_cohort(*, user, since: datetime, until: datetime) -> QuerySet[Conversation]:
    """The user's conversations asked for (moved to requested) in [since, until]: the cohort
    behind every response rate, annotated with
    - `responded`: they reached one of RESPONSE_STAGES (scheduled or declined);
    - `replied`: that, or `replied_at` is set ("replied" in issue #14's sense);
    - `accepted`: they reached scheduled."""
    requested = StageChange.objects.filter(
        conversation=OuterRef("pk"), stage=Stage.REQUESTED, at__gte=since, at__lte=until
    )
    accepted = StageChange.objects.filter(conversation=OuterRef("pk"), stage=Stage.SCHEDULED)
    return (
        Conversation.objects.filter(owner=user)
        .annotate(asked=Exists(requested), responded=responded_exists(), accepted=Exists(accepted))
        .filter(asked=True)
    )


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def cohort_usage(cohort: QuerySet[Conversation], *keys: str) -> dict:
    """{key value: {used, responses, replies, accepted}} of the cohort, grouped by `keys` in one
    query (by a tuple of values when there are several keys: see fold_usage)."""
    rows = (
        cohort.values(*keys)
        .annotate(
            used=Count("id"),
            responses=Count("id", filter=Q(responded=True)),
            replies=Count("id", filter=REPLIED),
            accepted_n=Count("id", filter=Q(accepted=True)),
        )
        .order_by()
    )
    return {
        (tuple(row[key] for key in keys) if len(keys) > 1 else row[keys[0]]): {
            "used": row["used"],
            "responses": row["responses"],
            "replies": row["replies"],
            "accepted": row["accepted_n"],
        }
        for row in rows
    }


def fold_usage(usage: dict, index: int) -> dict:
    """cohort_usage grouped by several keys, summed up by the key at `index` alone."""
    folded: dict = {}
    for key, counts in usage.items():
        total = folded.setdefault(key[index], dict.fromkeys(counts, 0))
        for name, n in counts.items():
            total[name] += n
    return folded


def usage_figures(counts: dict | None) -> dict:
    """used, responses, response_rate (the dashboard's figures) and replies, reply_rate,
    accepted, acceptance_rate (issue #14), zeros and nulls when unused."""
    counts = counts or {"used": 0, "responses": 0, "replies": 0, "accepted": 0}
    used = counts["used"]
    return {
        "used": used,
        "responses": counts["responses"],
        "response_rate": _share(counts["responses"], used),
        "replies": counts["replies"],
        "reply_rate": _share(counts["replies"], used),
        "accepted": counts["accepted"],
        "acceptance_rate": _share(counts["accepted"], used),
    }


def template_stats(*, user, days: int = 90, now: datetime | None = None) -> list[dict]:
    """Each of the user's templates (by name) with its figures over the last `days`: used (asks
    sent with it, requested in the window), responses, replies, accepted (reached scheduled) and
    their rates over used. Two queries for any number of templates."""
    now = now or timezone.now()
    usage = cohort_usage(
        asked_cohort(user=user, since=now - timedelta(days=days), until=now).filter(template__isnull=False),
        "template_id",
    )
    return [
        {"id": pk, "name": name, "kind": kind, **usage_figures(usage.get(pk))}
        for pk, name, kind in template_list(user=user).order_by("name", "id").values_list("id", "name", "kind")
    ]


# Two-sided significance level and power of the "how many more asks" estimate.
COMPARE_ALPHA = 0.05
COMPARE_POWER = 0.8


def asks_needed_per_template(p1: float, p2: float, *, alpha: float = COMPARE_ALPHA, power: float = COMPARE_POWER):
    """Asks each of two templates needs for a two-sided test at `alpha` to tell reply rates p1 and
    p2 apart with probability `power`: the standard two-proportion formula for equal groups,
        n = (z_(1-alpha/2) * sqrt(2 p q) + z_power * sqrt(p1 q1 + p2 q2))^2 / (p1 - p2)^2,
    with p the mean of p1 and p2 and q = 1 - p, rounded up. None when p1 == p2 (no difference
    to detect, so no number of asks is enough)."""
    if p1 == p2:
        return None
    z_alpha = NormalDist().inv_cdf(1 - alpha / 2)
    z_power = NormalDist().inv_cdf(power)
    p = (p1 + p2) / 2
    n = (z_alpha * math.sqrt(2 * p * (1 - p)) + z_power * math.sqrt(p1 * (1 - p1) + p2 * (1 - p2))) ** 2 / (
        p1 - p2
    ) ** 2
    return math.ceil(n - 1e-9)


def _p_text(p: float) -> str:
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}" if p < 0.01 else f"p = {p:.2f}"


def template_compare(*, user, a, b, days: int = 90, now: datetime | None = None) -> dict:
    """Do templates `a` and `b` (the user's, else Http404) get replies at different rates over the
    last `days`? Fisher's exact test (scipy.stats.fisher_exact, two-sided) on replies vs no
    replies, and the answer as a plain sentence:
    - verdict `different`: p < COMPARE_ALPHA;
    - `too_few`: not yet, and fewer asks sent than the estimate of asks_needed_per_template
      (`more_asks_needed` says how many more in all), or a template unused, or no reply to either;
    - `no_difference`: not significant though the estimate is reached, or equal rates so far."""
    from scipy.stats import fisher_exact  # imported when used: scipy is slow to load

    first, second = template_get(user=user, pk=a), template_get(user=user, pk=b)
    if first.pk == second.pk:
        raise ApplicationError("Choose two different templates to compare.", field="b")
    now = now or timezone.now()
    cohort = asked_cohort(user=user, since=now - timedelta(days=days), until=now).filter(
        template_id__in=[first.pk, second.pk]
    )
    usage = cohort_usage(cohort, "template_id")
    sides = []
    for template in (first, second):
        figures = usage_figures(usage.get(template.pk))
        sides.append(
            {
                "id": template.pk,
                "name": template.name,
                "used": figures["used"],
                "replies": figures["replies"],
                "rate": figures["reply_rate"],
            }
        )
    x, y = sides
    counts = f"{x['replies']} of {x['used']} vs {y['replies']} of {y['used']}"
    result = {"a": x, "b": y, "days": days, "p_value": None, "more_asks_needed": None}
    if not x["used"] or not y["used"]:
        unused = x if not x["used"] else y
        return result | {
            "verdict": "too_few",
            "sentence": f"Too few to tell yet: “{unused['name']}” has not been used in the last {days} days.",
        }
    _, p = fisher_exact([[x["replies"], x["used"] - x["replies"]], [y["replies"], y["used"] - y["replies"]]])
    p = min(1.0, float(p))
    result["p_value"] = round(p, 4)
    if p < COMPARE_ALPHA:
        better, worse = (x, y) if x["rate"] > y["rate"] else (y, x)
        ordered = f"{better['replies']} of {better['used']} vs {worse['replies']} of {worse['used']}"
        return result | {
            "verdict": "different",
            "sentence": f"“{better['name']}” gets replies more often ({ordered}); "
            f"that difference is unlikely to be chance ({_p_text(p)}).",
        }
    if x["rate"] == y["rate"]:
        if not x["replies"]:
            return result | {
                "verdict": "too_few",
                "sentence": f"Too few to tell yet: neither template has had a reply ({counts}), "
                "so there is no difference to measure.",
            }
        return result | {
            "verdict": "no_difference",
            "sentence": f"No clear difference yet: both get replies at the same rate so far ({counts}); "
            "more asks will tell them apart only if their rates drift apart.",
        }
    per_template = asks_needed_per_template(x["rate"], y["rate"])
    more = max(0, per_template - x["used"]) + max(0, per_template - y["used"])
    if more:
        return result | {
            "more_asks_needed": more,
            "verdict": "too_few",
            "sentence": f"Too few to tell yet (need about {more} more asks): {counts} ({_p_text(p)}).",
        }
    return result | {
        "verdict": "no_difference",
        "sentence": f"No clear difference yet ({counts}); it may be chance ({_p_text(p)}).",
    }


# --- the question bank (#14) ----------------------------------------------------------------


def question_list(*, user, kind: str | None = None) -> QuerySet[Question]:
    """The user's questions in their order (by kind, then position); one kind's when given."""
    questions = Question.objects.filter(owner=user)
    return questions.filter(kind=kind) if kind else questions


def question_get(*, user, pk) -> Question:
    return scoped_get(question_list(user=user), pk=pk, not_found="No such question.")


def questions_by_kind(*, user, per_kind: int) -> list[dict]:
    """Every conversation kind with its first `per_kind` questions and how many there are in
    all (a page shows the first ones and says how many more): one query for the counts, one
    per kind for the rows."""
    counts = dict(question_list(user=user).values_list("kind").annotate(n=Count("id")).order_by())
    groups = []
    for value, label in Conversation.Kind.choices:
        count = counts.get(value, 0)
        questions = list(question_list(user=user, kind=value)[:per_kind]) if count else []
        groups.append(
            {"kind": value, "label": label, "questions": questions, "count": count, "more": count - len(questions)}
        )
    return groups


# --- the 3B7 routine: day 3, a second person (issue #14) ------------------------------------


@dataclass(frozen=True)
class SecondPerson:
    """A request waiting on its 3rd business day at a target company, and whom to try next."""

    conversation: Conversation  # the unanswered request (with contact and company)
    candidate: Contact  # the best other contact at that company (see second_person_candidates)

    @property
    def company(self):
        return self.conversation.contact.company


def third_business_day_cutoff(user, now: datetime) -> datetime:
    """Requests sent before this instant have waited at least THREE_B_SEVEN_SECOND_PERSON_DAYS
    business days by today: the start (local midnight) of the 3rd working date counted back
    from today, today included. A request sent on Friday (Mon–Fri) qualifies from Wednesday:
    counting back from Wednesday, Wed, Tue, Mon — before Monday 00:00."""
    days = workdays(user) or frozenset(range(1, 8))
    current, counted = local_today(user, now), 0
    while True:
        if current.isoweekday() in days:
            counted += 1
            if counted == THREE_B_SEVEN_SECOND_PERSON_DAYS:
                return local_day_bounds(user, current)[0]
        current -= timedelta(days=1)


def _candidate_ranking():
    """Order for second_person_candidates: responsiveness (booster, unknown, obligate,
    curmudgeon), then a warm path (someone referred them, or alumni / internal colleague),
    then product managers, then the least recently contacted (never contacted first), then id."""
    responsiveness = Case(
        When(responsiveness=Contact.Responsiveness.BOOSTER, then=Value(0)),
        When(responsiveness__isnull=True, then=Value(1)),
        When(responsiveness=Contact.Responsiveness.OBLIGATE, then=Value(2)),
        default=Value(3),
        output_field=IntegerField(),
    )
    warm = Case(
        When(
            Q(referred_by__isnull=False)
            | Q(relationship__in=(Contact.Relationship.ALUMNI, Contact.Relationship.INTERNAL_COLLEAGUE)),
            then=Value(0),
        ),
        default=Value(1),
        output_field=IntegerField(),
    )
    product_manager = Case(
        When(relationship=Contact.Relationship.PRODUCT_MANAGER, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    return [
        responsiveness.asc(),
        warm.asc(),
        product_manager.asc(),
        F("last_contacted_at").asc(nulls_first=True),
        F("id").asc(),
    ]


def second_person_candidates(*, user, company_ids) -> QuerySet[Contact]:
    """The user's other people at these companies who could be asked now: not archived, no
    open ask (OPEN_STAGES) of any kind. Each row has `rank` (1 = best at its company, by
    _candidate_ranking: responsiveness booster > unknown > obligate > curmudgeon, then warm
    path, then product manager, then least recently contacted)."""
    open_ask = Conversation.objects.filter(owner=user, contact=OuterRef("pk"), stage__in=OPEN_STAGES)
    return (
        Contact.objects.filter(owner=user, company_id__in=company_ids, archived=False)
        .exclude(Exists(open_ask))
        .select_related("company")
        .annotate(
            rank=Window(RowNumber(), partition_by=[F("company_id")], order_by=_candidate_ranking()),
        )
    )


def second_person_suggestions(*, user, now: datetime | None = None, limit: int = 5) -> list[SecondPerson]:
    """Day 3 of 3B7, under either routine: requests at target companies unanswered for 3+
    business days (by the user's workweek and clock; answered = replied_at set or moved to
    scheduled / declined), with nobody at that company asked since, each with the best other
    contact to try there. One per company, the longest-waiting first, at most `limit`. Two
    queries (one when nothing is waiting)."""
    now = now or timezone.now()
    asked_since = Conversation.objects.filter(
        owner=user,
        contact__company_id=OuterRef("contact__company_id"),
        created_at__gt=OuterRef("requested_at"),
    ).exclude(contact_id=OuterRef("contact_id"))
    waiting = (
        Conversation.objects.filter(
            owner=user,
            stage__in=REPLY_STAGES,
            requested_at__lt=third_business_day_cutoff(user, now),
            contact__company__target=True,
            contact__archived=False,
        )
        .filter(Q(replied_at__isnull=True) | Q(replied_at__lt=F("requested_at")))
        .exclude(Exists(asked_since))
        .select_related("contact", "contact__company")
        .order_by("requested_at", "id")
    )
    # One per company: a few more rows than `limit` cover companies with several waiting asks.
    firsts: dict[int, Conversation] = {}
    for conversation in waiting[: limit * 4]:
        firsts.setdefault(conversation.contact.company_id, conversation)
    if not firsts:
        return []
    best = {
        contact.company_id: contact
        for contact in second_person_candidates(user=user, company_ids=list(firsts)).filter(rank=1)
    }
    found = [
        SecondPerson(conversation, best[company_id])
        for company_id, conversation in firsts.items()
        if company_id in best
    ]
    return found[:limit]
