"""Every write to contacts, companies and tags goes through here."""

from collections.abc import Iterable
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.errors import ApplicationError
from accounts.services import model_update
from accounts.text import one_line

from .models import Company, Contact, ContactEvent, Relationship, Source, Tag, text_key
from .signals import company_merging, contact_cadence_changed, contact_deleting, contact_merging


def company_get_or_create(*, owner, name: str) -> Company:
    """The owner's company of that name, matched case-insensitively, created if new."""
    name = one_line(name)
    existing = Company.objects.filter(owner=owner, name_key=text_key(name)).first()
    if existing:
        return existing
    company = Company(owner=owner, name=name)
    company.full_clean()
    company.save()
    return company


def company_create(*, owner, **fields) -> Company:
    company = Company(owner=owner, **fields)
    company.full_clean()
    company.save()
    return company


def company_update(*, company: Company, **fields) -> Company:
    """Edit a company; only what changed is written."""
    model_update(instance=company, fields=Company.EDITABLE_FIELDS, data=fields)
    return company


@transaction.atomic
def company_targets_add(*, owner, names: Iterable[str] = (), companies: Iterable[Company] = ()) -> list[Company]:
    """Make companies targets (LAMP, issue #14), all or nothing: each typed name matches the
    owner's company of that name in any case (text_key) or creates it; `companies` are the
    owner's rows picked from suggestions. A blank list, a name typed twice, or a company that
    is already a target is refused and nothing is written."""
    typed = [one_line(name) for name in names if one_line(name)]
    picked = list(companies)
    if not typed and not picked:
        raise ApplicationError("Type at least one company name, or tick a suggestion.", field="names")
    keys: dict[str, str] = {}
    for name in typed:
        if text_key(name) in keys:
            raise ApplicationError(f"“{name}” is typed twice: give each company once.", field="names")
        keys[text_key(name)] = name
    chosen = [company_get_or_create(owner=owner, name=name) for name in typed]
    for company in picked:
        if company.owner_id != owner.pk:
            raise ApplicationError("Not found: you have no company with this id.", field="companies")
        if company.pk not in {c.pk for c in chosen}:
            chosen.append(company)
    already = [company.name for company in chosen if company.target]
    if already:
        raise ApplicationError(f"Already on your targets: {', '.join(already)}.", field="names")
    for company in chosen:
        model_update(instance=company, fields=Company.EDITABLE_FIELDS, data={"target": True})
    return chosen


def _require_mergeable(kept, other, noun: str) -> None:
    if kept.owner_id != other.owner_id:
        raise ApplicationError(f"Not found: you have no {noun} with this id.", field="other")
    if kept.pk == other.pk:
        raise ApplicationError(f"Choose another {noun} to merge: a {noun} cannot be merged into itself.", field="other")


@transaction.atomic
def company_merge(*, company: Company, other: Company) -> Company:
    """Merge `other` into `company`: its contacts (and, through company_merging, the rows of the
    apps above, such as opportunities) move to `company`, which also takes any details it lacks
    (website, industry, notes); then `other` is deleted. One transaction."""
    _require_mergeable(company, other, "company")
    Contact.objects.filter(owner_id=company.owner_id, company=other).update(company=company)
    company_merging.send(sender=Company, company=company, other=other)
    missing = {name: getattr(other, name) for name in ("website", "industry", "notes") if not getattr(company, name)}
    other.delete()
    model_update(instance=company, fields=Company.EDITABLE_FIELDS, data=missing)
    return company


def company_delete(*, company: Company) -> None:
    """Delete a company; its contacts (and opportunities) stay, with no company."""
    company.delete()


@transaction.atomic
def tag_merge(*, tag: Tag, other: Tag) -> Tag:
    """Merge `other` into `tag`: every contact tagged `other` gets `tag`, then `other` is deleted."""
    _require_mergeable(tag, other, "tag")
    tag.contacts.add(*Contact.objects.filter(owner_id=tag.owner_id, tags=other).exclude(tags=tag))
    other.delete()
    return tag


def tag_delete(*, tag: Tag) -> None:
    """Delete a tag; the contacts stay, without it."""
    tag.delete()


def tag_create(*, owner, name: str) -> Tag:
    """An explicitly created tag; a name the owner already has (any case) is refused."""
    tag = Tag(owner=owner, name=one_line(name))
    tag.full_clean()
    tag.save()
    return tag


def tag_update(*, tag: Tag, name: str) -> Tag:
    """Rename a tag; a name the owner already has (any case) is refused."""
    model_update(instance=tag, fields=("name",), data={"name": one_line(name)})
    return tag


def tags_get_or_create(*, owner, names: Iterable[str]) -> list[Tag]:
    """Tags by name (case-insensitive), created as needed, in the order given, without repeats."""
    wanted: dict[str, str] = {}
    for raw in names:
        name = one_line(str(raw))
        if name and text_key(name) not in wanted:
            wanted[text_key(name)] = name
    if not wanted:
        return []
    existing = {t.name_key: t for t in Tag.objects.filter(owner=owner, name_key__in=wanted)}
    return [existing.get(key) or _tag_get_or_create_one(owner=owner, name=name) for key, name in wanted.items()]


def _tag_get_or_create_one(*, owner, name: str) -> Tag:
    """A tag the lookup did not find; if another request of the same account creates it at the
    same moment, the unique key refuses our insert and theirs is used (not a "conflict" 400)."""
    tag = Tag(owner=owner, name=name)
    tag.full_clean()
    try:
        with transaction.atomic():  # a savepoint: the caller's transaction survives the refusal
            tag.save()
    except IntegrityError:
        return Tag.objects.get(owner=owner, name_key=tag.name_key)
    return tag


@transaction.atomic
def contact_create(*, owner, tags: Iterable = (), **fields) -> Contact:
    contact = Contact(owner=owner, **fields)
    contact.full_clean()
    contact.save()
    contact.reconnect_due_at = contact.reconnect_due()
    contact.save(update_fields=["reconnect_due_at"])
    if tags:
        contact.tags.set(_as_tags(owner, tags))
    return contact


@transaction.atomic
def contact_update(*, contact: Contact, tags: Iterable | None = None, **fields) -> Contact:
    """Edit a contact (`tags`: names or Tag objects, None leaves them as they are).

    Only what changed is written; outreach hears of a changed cadence or archiving, to move
    or close the open reconnect follow-up (see outreach.services).
    """
    if tags is not None:
        fields["tags"] = _as_tags(contact.owner, tags)
    changed = model_update(instance=contact, fields=Contact.EDITABLE_FIELDS, data=fields)
    due_at = contact.reconnect_due()
    if due_at != contact.reconnect_due_at:
        contact.reconnect_due_at = due_at
        contact.save(update_fields=["reconnect_due_at", "updated_at"])
    cadence_changed = changed & {"reconnect_every_days", "archived"}
    if cadence_changed:
        contact_cadence_changed.send(sender=Contact, contact=contact, changed=cadence_changed)
    return contact


@transaction.atomic
def contact_delete(*, contact: Contact) -> None:
    """Delete a contact and everything that is only about them: their conversations (with
    stage history, follow-ups and pending reminders), notes, follow-ups and job changes (the
    database cascade); touches shared with other people stay (outreach, via contact_deleting).
    Contacts they referred, and opportunities they referred, stay without a referrer."""
    locked = Contact.objects.select_for_update().get(pk=contact.pk)
    contact_deleting.send(sender=Contact, contact=locked)
    locked.delete()


def _as_tags(owner, tags: Iterable) -> list[Tag]:
    tags = list(tags)
    names = [t for t in tags if isinstance(t, str)]
    objects = [t for t in tags if isinstance(t, Tag)]
    for tag in objects:
        if tag.owner_id != owner.pk:
            raise ValueError("Tag belongs to another user.")
    return objects + tags_get_or_create(owner=owner, names=names)


def contact_touch(*, contact: Contact, at: datetime) -> Contact:
    """Record contact with this person at `at` (never moves the date backwards)."""
    if contact.last_contacted_at is None or at > contact.last_contacted_at:
        contact.last_contacted_at = at
        contact.reconnect_due_at = contact.reconnect_due()
        contact.save(update_fields=["last_contacted_at", "reconnect_due_at", "updated_at"])
    return contact


def contact_last_contact_set(*, contact: Contact, at: datetime | None) -> Contact:
    """Put the last contact to `at`, earlier or none included: only for a caller that worked it
    out again from what is on record (a deleted touch). Everything else uses contact_touch."""
    if contact.last_contacted_at != at:
        contact.last_contacted_at = at
        contact.reconnect_due_at = contact.reconnect_due()
        contact.save(update_fields=["last_contacted_at", "reconnect_due_at", "updated_at"])
    return contact


# --- merging duplicates ------------------------------------------------------------------

# Values that say "not known yet": a merge fills them from the other contact. `other` is the
# default relationship and source, so a specific one from the duplicate is better information.
_UNKNOWN = {"relationship": Relationship.OTHER, "source": Source.OTHER}
# What a merge fills in on the kept contact when it has nothing there (tags are united,
# referred_by and archived follow their own rules below).
MERGE_FILL_FIELDS = tuple(name for name in Contact.EDITABLE_FIELDS if name not in ("tags", "referred_by", "archived"))


def _is_empty(name: str, value) -> bool:
    return value in ("", None) or _UNKNOWN.get(name) == value


@transaction.atomic
def contact_merge(*, keep: Contact, other: Contact) -> Contact:
    """Make `other` part of `keep`, then delete `other`, in one transaction.

    `keep` takes every empty field from `other` (a relationship or source of `other` counts as
    empty), the later `last_contacted_at`, the union of the tags, `other`'s job changes, and
    the contacts `other` referred; if `keep` was referred by `other` it takes `other`'s
    referrer. The apps above move their own rows on `contact_merging` (conversations,
    follow-ups, touches, notes, opportunities).

    Why a signal: contacts sits beneath outreach and crm and may not import them, yet the
    merge must start here, where contacts are written (the API's /contacts/{id}/merge/ and the
    page both call this). Each app knows which of its rows point at a contact and what rule
    applies to them (one open reconnect follow-up), so each answers for its own. A receiver
    that forgets a model cannot lose data: before `other` is deleted, every relation pointing
    at a contact is checked, and a leftover row aborts the merge (nothing is written).
    """
    if keep.owner_id != other.owner_id:
        raise ValidationError({"other": "Not found: you have no contact with this id."})
    if keep.pk == other.pk:
        raise ValidationError({"other": "A contact cannot be merged with itself: choose another contact."})
    # Lock both rows, in id order so two merges of the same pair cannot deadlock.
    locked = {c.pk: c for c in Contact.objects.select_for_update().filter(pk__in=[keep.pk, other.pk]).order_by("pk")}
    if len(locked) != 2:
        raise ValidationError({"other": "This contact no longer exists."})
    keep, other = locked[keep.pk], locked[other.pk]

    fills = {
        name: getattr(other, name)
        for name in MERGE_FILL_FIELDS
        if _is_empty(name, getattr(keep, name)) and not _is_empty(name, getattr(other, name))
    }
    if keep.referred_by_id in (None, other.pk):
        # A referrer that is one of the pair would leave `keep` referring to itself.
        referrer = other.referred_by if other.referred_by_id != keep.pk else None
        if (referrer.pk if referrer else None) != keep.referred_by_id:
            fills["referred_by"] = referrer
    if "linkedin_url" in fills:
        # The URL is unique per owner: free it on `other` (deleted below) before `keep` takes it.
        Contact.objects.filter(pk=other.pk).update(linkedin_url="")
    if fills:
        model_update(instance=keep, fields=(*MERGE_FILL_FIELDS, "referred_by"), data=fills)
    keep.last_contacted_at = max(
        (at for at in (keep.last_contacted_at, other.last_contacted_at) if at is not None), default=None
    )
    keep.reconnect_due_at = keep.reconnect_due()
    keep.save(update_fields=["last_contacted_at", "reconnect_due_at", "updated_at"])

    contact_m2m_move(Contact.tags.through, "contact_id", "tag_id", keep=keep, other=other)
    ContactEvent.objects.filter(contact=other).update(contact=keep)
    Contact.objects.filter(referred_by=other).exclude(pk=keep.pk).update(referred_by=keep, updated_at=timezone.now())
    contact_merging.send(sender=Contact, keep=keep, other=other)
    _require_nothing_left(other)
    other.delete()
    return keep


def contact_m2m_move(through, column: str, partner: str, *, keep: Contact, other: Contact) -> None:
    """Point `other`'s rows of a many-to-many table (`column`: the contact's id column,
    `partner`: the other side's) at `keep`, dropping those `keep` already has (a union)."""
    already = through.objects.filter(**{column: keep.pk}).values(partner)
    through.objects.filter(**{column: other.pk, f"{partner}__in": already}).delete()
    through.objects.filter(**{column: other.pk}).update(**{column: keep.pk})


def _require_nothing_left(other: Contact) -> None:
    """Every row of any app that still points at `other` would go with it (or lose its link):
    refuse, so the merge rolls back, rather than lose data a receiver forgot to move."""
    for relation in Contact._meta.related_objects:
        model = relation.related_model
        left = model._base_manager.filter(**{relation.field.name: other}).count()
        if left:
            raise RuntimeError(
                f"Merging contacts would lose {left} {model._meta.verbose_name_plural} "
                f"({model._meta.label}.{relation.field.name}): no contact_merging receiver moved them."
            )


# --- bulk actions ------------------------------------------------------------------------

# The actions contacts applies itself; `plan` (a conversation per contact) is outreach's, and
# crm.services.contact_bulk_action offers all of them as one.
BULK_ACTIONS = ("tag", "untag", "set_relationship", "set_source", "set_cadence", "archive", "unarchive")
_SET_FIELD = {"set_relationship": "relationship", "set_source": "source", "set_cadence": "reconnect_every_days"}


def contact_bulk_value(*, owner, action: str, value):
    """`value` checked and parsed for `action`, or a ValidationError on `value` (nothing written)."""
    if action == "tag":
        return _bulk_tag_names(value)
    if action == "untag":
        names = _bulk_tag_names(value)
        keys = {text_key(name) for name in names}
        tags = list(Tag.objects.filter(owner=owner, name_key__in=keys))
        if len(tags) != len(keys):
            known = {tag.name_key for tag in tags}
            missing = ", ".join(name for name in names if text_key(name) not in known)
            raise ValidationError({"value": f"You have no tag named {missing}."})
        return tags
    if action == "set_relationship":
        return _choice(value, Relationship)
    if action == "set_source":
        return _choice(value, Source)
    if action == "set_cadence":
        return _bulk_cadence(value)
    if action in ("archive", "unarchive"):
        return None
    raise ValidationError({"action": f'Unknown action "{str(action)[:40]}". Allowed: {", ".join(BULK_ACTIONS)}.'})


def _bulk_tag_names(value) -> list[str]:
    names = [value] if isinstance(value, str) else value
    if not isinstance(names, list) or not all(isinstance(name, str) for name in names):
        raise ValidationError({"value": 'Give a tag name, or a list of them (e.g. "fintech").'})
    names = [one_line(name) for name in names if one_line(name)]
    if not names:
        raise ValidationError({"value": "Give the name of a tag."})
    if len(names) > 20 or any(len(name) > 50 or "\x00" in name for name in names):
        raise ValidationError({"value": "At most 20 tags at a time, each at most 50 characters."})
    return names


def _bulk_cadence(value) -> int | None:
    if value in (None, ""):
        return None  # no cadence any more
    message = "Give the number of days between reconnects (1–3650), or null for none."
    if isinstance(value, bool) or not isinstance(value, int | str) or not str(value).strip().isdigit():
        raise ValidationError({"value": message})
    days = int(value)
    if not 1 <= days <= 3650:
        raise ValidationError({"value": message})
    return days


def _choice(value, choices) -> str:
    if value not in choices.values:
        raise ValidationError({"value": f"Choose one of: {', '.join(choices.values)}."})
    return value


@transaction.atomic
def contact_bulk_update(*, owner, contacts: list[Contact], action: str, value) -> dict:
    """Apply one action to the owner's `contacts` (already checked to be theirs).

    `value` comes from contact_bulk_value. Answers `{changed, skipped: [{id, name, reason}]}`:
    a contact that already is as asked is skipped, with the reason. Cadence and archiving move
    or close the open reconnect follow-up through `contact_cadence_changed`, as an edit does.
    """
    if any(contact.owner_id != owner.pk for contact in contacts):
        raise ValueError("Every contact must be the owner's.")
    ids = [contact.pk for contact in contacts]
    now = timezone.now()
    if action == "tag":
        tags = tags_get_or_create(owner=owner, names=value)
        through = Contact.tags.through
        have = set(through.objects.filter(contact_id__in=ids, tag__in=tags).values_list("contact_id", "tag_id"))
        rows = [through(contact_id=c.pk, tag_id=t.pk) for c in contacts for t in tags if (c.pk, t.pk) not in have]
        through.objects.bulk_create(rows)
        touched = {row.contact_id for row in rows}
        label = ", ".join(f"#{tag.name}" for tag in tags)
        return _bulk_result(contacts, touched, f"already tagged {label}", now)
    if action == "untag":
        through = Contact.tags.through
        had = set(through.objects.filter(contact_id__in=ids, tag__in=value).values_list("contact_id", flat=True))
        through.objects.filter(contact_id__in=ids, tag__in=value).delete()
        label = ", ".join(f"#{tag.name}" for tag in value)
        return _bulk_result(contacts, had, f"not tagged {label}", now)
    if action in ("set_relationship", "set_source"):
        field = _SET_FIELD[action]
        touched = {c.pk for c in contacts if getattr(c, field) != value}
        Contact.objects.filter(pk__in=touched).update(**{field: value})
        shown = dict(Contact._meta.get_field(field).choices)[value]
        return _bulk_result(contacts, touched, f"already {shown}", now)
    if action in ("set_cadence", "archive", "unarchive"):
        field, new = {
            "set_cadence": ("reconnect_every_days", value),
            "archive": ("archived", True),
            "unarchive": ("archived", False),
        }[action]
        changed = [c for c in contacts if getattr(c, field) != new]
        for contact in changed:
            setattr(contact, field, new)
            contact.reconnect_due_at = contact.reconnect_due()
            contact.updated_at = now
        Contact.objects.bulk_update(changed, [field, "reconnect_due_at", "updated_at"], batch_size=500)
        for contact in changed:
            contact_cadence_changed.send(sender=Contact, contact=contact, changed={field})
        reason = {
            "set_cadence": f"already every {value} days" if value else "already without a cadence",
            "archive": "already archived",
            "unarchive": "not archived",
        }[action]
        return _bulk_result(contacts, {c.pk for c in changed}, reason, now)
    raise ValueError(f"Not a contacts bulk action: {action}")


def _bulk_result(contacts: list[Contact], changed_ids: set[int], reason: str, now) -> dict:
    if changed_ids:
        Contact.objects.filter(pk__in=changed_ids).update(updated_at=now)
    skipped = [{"id": c.pk, "name": c.full_name, "reason": reason} for c in contacts if c.pk not in changed_ids]
    return {"changed": len(changed_ids), "skipped": skipped}
