"""Every write to contacts, companies and tags goes through here."""

from collections.abc import Iterable
from datetime import datetime

from django.db import IntegrityError, transaction

from accounts.errors import ApplicationError
from accounts.services import model_update
from accounts.text import one_line

from .models import Company, Contact, Tag, text_key
from .signals import company_merging, contact_cadence_changed, contact_deleting


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
