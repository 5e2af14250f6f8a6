"""Reads for the Targets page (issue #14): the LAMP list with each target's coverage and next action.

A page of targets costs a fixed number of queries whatever it holds: the companies in LAMP
order (with their counts and the best contact still to ask, as subqueries), the asks at them
grouped by company, their open asks, and the intro paths of (at most INTRO_LOOKUPS) targets
with no contact yet.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.core.paginator import Paginator
from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Q, Subquery, Value, When
from django.utils import timezone

from accounts.localtime import user_tz
from contacts.models import Company, Contact, Relationship
from contacts.selectors import IntroPath, company_list, company_target_list, intro_paths
from outreach.models import Conversation
from outreach.pipeline import Stage
from outreach.selectors import REPLIED, responded_exists

# Dalton's method works about 40 employers; the page shows them all on one page, then paginates.
TARGET_GOAL = 40
PAGE_SIZE = 40
SUGGESTIONS_SHOWN = 10
# Intro paths are looked up for at most this many contact-less targets of a page, 2 shown each.
INTRO_LOOKUPS = 10
INTRO_PATHS_SHOWN = 2


@dataclass
class TargetRow:
    """One target: the company (with contacts, alumni), its coverage and the next thing to do."""

    company: Company
    rank: int = 0
    asks: int = 0
    replies: int = 0
    held: int = 0
    action: str = ""
    action_url: str = ""
    intro_paths: list[IntroPath] = field(default_factory=list)


def target_count(*, user) -> int:
    return Company.objects.filter(owner=user, target=True).count()


def _ask_next(company_ref: str = "pk"):
    """The best active contact at the company still never asked: alumni first, then by name."""
    never_asked = ~Exists(Conversation.objects.filter(contact=OuterRef("pk")))
    return (
        Contact.objects.filter(company=OuterRef(company_ref), archived=False)
        .filter(never_asked)
        .annotate(alum=Case(When(relationship=Relationship.ALUMNI, then=Value(0)), default=Value(1)))
        .order_by("alum", "first_name", "last_name", "id")
    )


def target_page(*, user, page: int = 1, now: datetime | None = None):
    """A page (PAGE_SIZE) of the user's targets in LAMP order, as TargetRow objects."""
    targets = company_target_list(user=user).annotate(
        ask_next_id=Subquery(_ask_next().values("pk")[:1], output_field=IntegerField()),
        ask_next_name=Subquery(_ask_next().values("first_name")[:1]),
    )
    paginator = Paginator(targets, PAGE_SIZE)
    page_obj = paginator.get_page(page)
    start = page_obj.start_index() if paginator.count else 1
    rows = [TargetRow(company=company, rank=start + i) for i, company in enumerate(page_obj.object_list)]
    _add_coverage(user, rows, now or timezone.now())
    return page_obj, rows


def _add_coverage(user, rows: list[TargetRow], now: datetime) -> None:
    by_id = {row.company.pk: row for row in rows}
    if not by_id:
        return
    counts = (
        Conversation.objects.filter(owner=user, contact__company_id__in=by_id)
        .annotate(responded=responded_exists())
        .values("contact__company_id")
        .annotate(
            asks=Count("id", filter=Q(requested_at__isnull=False)),
            replies=Count("id", filter=REPLIED),
            held=Count("id", filter=Q(held_at__isnull=False)),
        )
        .order_by()
    )
    for values in counts:
        row = by_id[values["contact__company_id"]]
        row.asks, row.replies, row.held = values["asks"], values["replies"], values["held"]
    # The open asks: the soonest booked chat, else the oldest ask still waiting for a reply.
    open_asks = (
        Conversation.objects.filter(owner=user, contact__company_id__in=by_id, contact__archived=False)
        .filter(Q(stage=Stage.SCHEDULED, scheduled_for__gte=now) | Q(stage=Stage.REQUESTED, replied_at__isnull=True))
        .select_related("contact")
        .order_by("scheduled_for", "requested_at", "id")
    )
    booked, waiting = {}, {}
    for conversation in open_asks:
        company_id = conversation.contact.company_id
        if conversation.stage == Stage.SCHEDULED:
            booked.setdefault(company_id, conversation)
        else:
            waiting.setdefault(company_id, conversation)
    tz = user_tz(user)
    lookups = 0
    for row in rows:
        company = row.company
        if company.pk in booked:
            chat = booked[company.pk]
            when = timezone.localtime(chat.scheduled_for, tz)
            day = (
                f"{when:%a}"
                if (when.date() - timezone.localtime(now, tz).date()).days < 6
                else f"{when:%a} {when.day} {when:%b}"
            )
            row.action = f"Chat with {chat.contact.first_name or chat.contact.full_name} booked {day}"
            row.action_url = f"/conversations/{chat.pk}/"
        elif company.pk in waiting:
            ask = waiting[company.pk]
            row.action = f"Follow up with {ask.contact.first_name or ask.contact.full_name}"
            row.action_url = f"/conversations/{ask.pk}/"
        elif company.ask_next_id:
            row.action = f"Ask {company.ask_next_name or 'them'} for a chat"
            row.action_url = f"/contacts/{company.ask_next_id}/#start-request"
        else:
            row.action = "Find an intro" if not company.contacts_active else "Find another person there"
            if not company.contacts_active and lookups < INTRO_LOOKUPS:
                lookups += 1
                row.intro_paths = intro_paths(user=user, company=company, limit=INTRO_PATHS_SHOWN)


def target_suggestions(*, user, limit: int = SUGGESTIONS_SHOWN) -> list[Company]:
    """Companies not yet targets where the user has active contacts: alumni, then contacts, first."""
    return list(
        company_list(user=user)
        .filter(target=False, contacts_active__gt=0)
        .order_by("-alumni", "-contacts_active", "name_key", "id")[:limit]
    )
