"""Reads for contacts, companies and tags: always one user's rows, joins done up front.

`*_get(*, user, pk)` getters answer Http404 alike for a missing row and another user's
(accounts.selectors.scoped_get); pages and views never look rows up by id themselves.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.db.models.functions import Lower
from django.utils import timezone

from accounts.errors import ApplicationError
from accounts.localtime import user_tz
from accounts.selectors import MAX_ID, scoped_get

from .linkedin import normalise_linkedin_url
from .models import Company, Contact, ContactEvent, ImportJob, Relationship, Tag, text_key


def company_list(*, user) -> QuerySet[Company]:
    """The user's companies with `contact_count` (their contacts at that company, archived
    included), and for LAMP (issue #14) `contacts` (the non-archived ones) and `alumni` (of
    those, relationship alumni): three counts in the one query."""
    active = Q(contacts__archived=False)
    return Company.objects.filter(owner=user).annotate(
        contact_count=Count("contacts", distinct=True),
        contacts_active=Count("contacts", filter=active, distinct=True),
        alumni=Count("contacts", filter=active & Q(contacts__relationship=Relationship.ALUMNI), distinct=True),
    )


# LAMP order (The 2-Hour Job Search): Motivation, then Posting, then Alumni, highest first; name breaks ties.
LAMP_ORDERING = ("-motivation", "-posting", "-alumni", "name_key", "id")


def company_target_list(*, user) -> QuerySet[Company]:
    """The user's target companies in LAMP order, with the counts of company_list."""
    return company_list(user=user).filter(target=True).order_by(*LAMP_ORDERING)


def uncovered_target_list(*, user) -> QuerySet[Company]:
    """The user's targets with no (non-archived) contact there yet, in LAMP order: the ones an
    intro would open (their alumni count is 0, so it drops out of the order)."""
    return (
        Company.objects.filter(owner=user, target=True)
        .exclude(Exists(Contact.objects.filter(company=OuterRef("pk"), archived=False)))
        .order_by(*(key for key in LAMP_ORDERING if key != "-alumni"))
    )


def tag_list(*, user) -> QuerySet[Tag]:
    """The user's tags with `contact_count`."""
    return Tag.objects.filter(owner=user).annotate(contact_count=Count("contacts", distinct=True))


def company_get(*, user, pk) -> Company:
    return scoped_get(company_list(user=user), pk=pk, not_found="No such company.")


def tag_get(*, user, pk) -> Tag:
    return scoped_get(tag_list(user=user), pk=pk, not_found="No such tag.")


def named_by(queryset: QuerySet, name: str):
    """The row of `queryset` (companies or tags, one user's) with this name in any case, or None."""
    from .models import text_key

    return queryset.filter(name_key=text_key(name)).first()


def contacts_with_tag_names(contacts: list[Contact]) -> list[Contact]:
    """Give each contact `tag_names` (in Tag's order, by name) from one query: an API page of
    contacts without prefetch_related's per-instance cost, which was a third of the list's
    database time (#12, docs/benchmarks.md)."""
    names: dict[int, list[str]] = {contact.pk: [] for contact in contacts}
    links = (
        Contact.tags.through.objects.filter(contact_id__in=list(names))
        .order_by("tag__name", "tag_id")
        .values_list("contact_id", "tag__name")
    )
    for contact_id, name in links:
        names[contact_id].append(name)
    for contact in contacts:
        contact.tag_names = names[contact.pk]
    return contacts


def contact_list(*, user) -> QuerySet[Contact]:
    """The user's contacts (archived included), with company, referrer and tags loaded."""
    return Contact.objects.filter(owner=user).select_related("company", "referred_by").prefetch_related("tags")


def contact_get(*, user, pk) -> Contact:
    """One of the user's contacts, with company, referrer and tags (by name) for its page."""
    contacts = (
        Contact.objects.filter(owner=user)
        .select_related("company", "referred_by")
        .prefetch_related(Prefetch("tags", queryset=Tag.objects.order_by("name")))
    )
    return scoped_get(contacts, pk=pk, not_found="No such contact.")


def contact_referrals(*, user, contact: Contact, limit: int = 5) -> tuple[list[Contact], int]:
    """The first `limit` contacts this one introduced the user to (referred_by), by name, and how many in all."""
    referrals = Contact.objects.filter(owner=user, referred_by=contact)
    first = list(referrals.order_by("first_name", "last_name", "id")[:limit])
    return first, (len(first) if len(first) < limit else referrals.count())


def reconnect_due_q(now: datetime | None = None) -> Q:
    """Active contacts whose reconnect cadence says it is time to get back in touch."""
    return Q(archived=False, reconnect_due_at__lte=now or timezone.now())


def contact_reconnect_due_list(*, user, now: datetime | None = None) -> QuerySet[Contact]:
    return contact_list(user=user).filter(reconnect_due_q(now))


def contact_event_list(*, user) -> QuerySet[ContactEvent]:
    return ContactEvent.objects.filter(owner=user).select_related("contact")


def job_change_get(*, user, pk) -> ContactEvent:
    """One of the user's job changes (found by a LinkedIn re-import), with its contact."""
    events = contact_event_list(user=user).filter(kind=ContactEvent.Kind.JOB_CHANGE)
    return scoped_get(events, pk=pk, not_found="No such job change.")


def import_job_list(*, user) -> QuerySet[ImportJob]:
    """The user's imports, newest first, without the uploaded file's content."""
    return ImportJob.objects.filter(owner=user).defer("content")


def import_job_get(*, user, pk) -> ImportJob:
    return scoped_get(import_job_list(user=user), pk=pk, not_found="No such import.")


# --- bulk actions ------------------------------------------------------------------------

# The most contacts one bulk action may name: a page of filtered contacts, or a few
# hundred picked by hand, fits many times over; more is a request to narrow the filter.
BULK_MAX_IDS = 1000


def contacts_for_bulk(*, user, ids) -> list[Contact]:
    """The user's contacts with these ids, in the order given, or a refusal naming the ids
    that are not theirs (or not ids at all): a bulk action is all or nothing."""
    if not isinstance(ids, list | tuple) or not ids:
        raise ValidationError({"ids": "Give a list of contact ids (at least one)."})
    if len(ids) > BULK_MAX_IDS:
        raise ApplicationError(
            f"At most {BULK_MAX_IDS} contacts at a time ({len(ids)} given): narrow the filter.",
            field="ids",
            code=ApplicationError.TOO_LARGE,
        )
    for value in ids:
        if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= MAX_ID:
            raise ValidationError({"ids": f"Not a contact id: {str(value)[:40]!r}."})
    wanted = list(dict.fromkeys(ids))  # repeats once, in the order given
    found = {c.pk: c for c in Contact.objects.filter(owner=user, pk__in=wanted).select_related("company")}
    missing = [pk for pk in wanted if pk not in found]
    if missing:
        shown = ", ".join(str(pk) for pk in missing[:20]) + (" …" if len(missing) > 20 else "")
        raise ValidationError({"ids": f"Not found: you have no contacts with ids {shown}. Nothing was changed."})
    return [found[pk] for pk in wanted]


# --- duplicates --------------------------------------------------------------------------

# Why two contacts look like one person, strongest first.
DUPLICATE_REASONS = ("linkedin_url", "email", "name_and_company")


@dataclass
class DuplicateGroup:
    """Contacts that look like one person: `ids` (oldest first) and the `reasons`."""

    ids: list[int]
    reasons: list[str] = field(default_factory=list)
    contacts: list[Contact] = field(default_factory=list)

    @property
    def reason(self) -> str:
        return self.reasons[0]

    @property
    def size(self) -> int:
        return len(self.ids)


def duplicate_groups(*, user) -> list[DuplicateGroup]:
    """The user's contacts that look like the same person, as groups with their reasons:
    the same e-mail (any case), the same LinkedIn profile once normalised, or the same name
    (text_key: case and Unicode forms folded) at the same company.

    Cost is linear in the number of contacts: the e-mail pairs are grouped by the database
    (GROUP BY lower(email) HAVING count > 1); LinkedIn URLs and names go through the same
    Python functions as every other match in the app (normalise_linkedin_url, text_key),
    which no database computes alike, so they are hashed in one pass over two columns.
    Groups that share a contact are joined (union-find), so a contact is in one group only.
    Contacts are not loaded here: duplicate_groups_load fills in a page of groups.
    """
    contacts = Contact.objects.filter(owner=user)
    pairs: list[tuple[str, list[int]]] = []
    shared_emails = (
        contacts.exclude(email="")
        .annotate(key=Lower("email"))
        .order_by()
        .values("key")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .values("key")
    )
    by_email: dict[str, list[int]] = {}
    rows = contacts.annotate(key=Lower("email")).filter(key__in=shared_emails).order_by("id").values_list("key", "id")
    for key, pk in rows:
        by_email.setdefault(key, []).append(pk)
    pairs += [("email", ids) for ids in by_email.values()]
    by_url: dict[str, list[int]] = {}
    by_name: dict[tuple, list[int]] = {}
    rows = contacts.values_list("id", "linkedin_url", "first_name", "last_name", "company_id")
    for pk, url, first_name, last_name, company_id in rows.order_by("id"):
        if url:
            by_url.setdefault(_profile_key(url), []).append(pk)
        if company_id is not None:
            by_name.setdefault((company_id, text_key(f"{first_name} {last_name}")), []).append(pk)
    pairs += [("linkedin_url", ids) for ids in by_url.values() if len(ids) > 1]
    pairs += [("name_and_company", ids) for ids in by_name.values() if len(ids) > 1]
    return _join(pairs)


_CANONICAL_PREFIX = "https://www.linkedin.com/"


def _profile_key(url: str) -> str:
    """The normalised URL; one already stored in the canonical form (every URL saved through
    Contact.clean) is its own key, which saves parsing 10,000 URLs that cannot change."""
    if url.startswith(_CANONICAL_PREFIX) and url == url.lower() and not any(c in url for c in "?# ") and url[-1] != "/":
        return url
    try:
        return normalise_linkedin_url(url)
    except ValidationError:
        return url


def _join(pairs: list[tuple[str, list[int]]]) -> list[DuplicateGroup]:
    parent: dict[int, int] = {}

    def root(pk: int) -> int:
        while parent.setdefault(pk, pk) != pk:
            parent[pk] = parent[parent[pk]]
            pk = parent[pk]
        return pk

    for _, ids in pairs:
        for pk in ids[1:]:
            a, b = root(ids[0]), root(pk)
            if a != b:
                parent[max(a, b)] = min(a, b)
    members: dict[int, set[int]] = {}
    reasons: dict[int, set[str]] = {}
    for reason, ids in pairs:
        top = root(ids[0])
        members.setdefault(top, set()).update(ids)
        reasons.setdefault(top, set()).add(reason)
    groups = [
        DuplicateGroup(ids=sorted(ids), reasons=[r for r in DUPLICATE_REASONS if r in reasons[top]])
        for top, ids in members.items()
    ]
    return sorted(groups, key=lambda group: group.ids[0])


def duplicate_groups_load(*, user, groups: list[DuplicateGroup], per_group: int = 10) -> list[DuplicateGroup]:
    """Fill in `contacts` (at most `per_group` each, oldest first) for a page of groups,
    with company and tags, in three queries whatever the page holds."""
    wanted = [pk for group in groups for pk in group.ids[:per_group]]
    found = contact_list(user=user).in_bulk(wanted)
    for group in groups:
        group.contacts = [found[pk] for pk in group.ids[:per_group] if pk in found]
    return groups


# --- warm intros (issue #14) ---------------------------------------------------------------

# The kinds of warm path to a company, strongest first (the ranking of intro_paths).
INTRO_KINDS = ("worked_there", "referral_reached", "second_degree")
INTRO_PATHS_MAX = 20


@dataclass
class IntroPath:
    """A contact who could introduce the user at a company: `kind` (INTRO_KINDS) and why."""

    contact: Contact
    kind: str
    reason: str


def _name(contact: Contact) -> str:
    return contact.full_name or contact.email or f"Contact {contact.pk}"


def intro_paths(*, user, company: Company, limit: int = INTRO_PATHS_MAX) -> list[IntroPath]:
    """The user's contacts who could introduce them at `company`, each once, with the
    strongest reason it has, at most `limit`:

    - `worked_there`: a job change of theirs left a company of this name (the name key, so
      "ACME" matches "Acme");
    - `referral_reached`: someone they referred (Contact.referred_by) works there now;
    - `second_degree`: they are linked by `referred_by` (either way) to someone who works or
      worked there, the link not already counted as `referral_reached`.

    Archived contacts appear in no path, and the company's own contacts are not introducers
    (they are the people an introduction would reach). Ranking, deterministic: by kind in
    the order above, then by name (case-folded), then by id. Five queries, whatever the graph.
    """
    people = Contact.objects.filter(owner=user, archived=False)
    works_there = set(people.filter(company=company).values_list("id", flat=True))
    key = text_key(company.name)
    left: dict[int, datetime] = {}  # contact id -> when the (latest) job change away was seen
    events = (
        ContactEvent.objects.filter(owner=user, kind=ContactEvent.Kind.JOB_CHANGE, contact__archived=False)
        .exclude(previous_company="")
        .values_list("contact_id", "previous_company", "created_at")
    )
    for contact_id, previous, seen in events:
        if text_key(previous) == key and (contact_id not in left or seen > left[contact_id]):
            left[contact_id] = seen
    bridges = works_there | set(left)
    edges = (
        people.filter(Q(referred_by_id__in=bridges) | Q(id__in=bridges, referred_by__isnull=False))
        .values_list("id", "referred_by_id")
        .order_by("id")
    )
    found = _intro_candidates(works_there=works_there, left=left, edges=edges)
    if not found:
        return []
    wanted = set(found) | {bridge for _, _, bridge in found.values() if bridge}
    loaded = people.select_related("company").in_bulk(wanted)
    ranked = sorted(
        (pk for pk in found if pk in loaded),
        key=lambda pk: (found[pk][0], text_key(_name(loaded[pk])), pk),
    )[:limit]
    tz = user_tz(user)
    paths = []
    for pk in ranked:
        _, kind, bridge_id = found[pk]
        contact, bridge = loaded[pk], loaded.get(bridge_id)
        if kind != "worked_there" and bridge is None:
            continue
        reason = _intro_reason(contact, kind, bridge, company=company, seen=left.get(pk), now_there=works_there, tz=tz)
        paths.append(IntroPath(contact=contact, kind=kind, reason=reason))
    return paths


def _intro_candidates(*, works_there: set[int], left: dict, edges) -> dict[int, tuple[int, str, int | None]]:
    """Each possible introducer once, with the strongest kind of path: {id: (rank, kind, bridge id)}."""
    bridges = works_there | set(left)
    found: dict[int, tuple[int, str, int | None]] = {}

    def offer(introducer: int, kind: str, bridge: int | None) -> None:
        rank = INTRO_KINDS.index(kind)
        if introducer in works_there or (introducer in found and found[introducer][0] <= rank):
            return
        found[introducer] = (rank, kind, bridge)

    for contact_id in left:
        offer(contact_id, "worked_there", None)
    for referred, referrer in edges:
        if referrer is None:
            continue
        if referred in works_there:
            offer(referrer, "referral_reached", referred)  # the referrer's referral works there
        elif referred in left:
            offer(referrer, "second_degree", referred)  # ... worked there
        if referrer in bridges:
            offer(referred, "second_degree", referrer)  # introduced by someone who works / worked there
    return found


def _intro_reason(contact, kind, bridge, *, company, seen, now_there, tz) -> str:
    if kind == "worked_there":
        seen = timezone.localtime(seen, tz)
        return f"{_name(contact)} worked at {company.name} until {seen.year} (job change seen {seen.day} {seen:%b %Y})"
    if kind == "referral_reached":
        return f"{_name(contact)} introduced you to {_name(bridge)}, who works at {company.name}"
    tense = "works" if bridge.pk in now_there else "worked"
    if contact.referred_by_id == bridge.pk:
        return f"{_name(contact)} was introduced to you by {_name(bridge)}, who {tense} at {company.name}"
    return f"{_name(contact)} introduced you to {_name(bridge)}, who {tense} at {company.name}"
