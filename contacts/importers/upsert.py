"""The batch upsert engine: every write an import makes, for LinkedIn, CSV and vCard rows alike.

A row matches a contact by normalised LinkedIn URL, then e-mail, then (first, last, company);
what the file says is merged in (an empty cell never clears anything); a LinkedIn export that
shows a known contact at a new company or in a new position records a job change.

Speed and memory: the owner's companies, tags and contact keys are loaded once; rows are
handled in batches of BATCH with one fetch of the matched contacts and bulk_create /
bulk_update per batch, so a 30,000-row LinkedIn export costs a few dozen queries, not tens
of thousands.
"""

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.text import one_line
from contacts.models import Company, Contact, ContactEvent, ImportJob, Source, Tag, text_key
from contacts.signals import contact_cadence_changed
from contacts.titles import relationship_from_title

from .csv_format import referrer_label
from .rows import ContactRow, RowError, RowInvalid, clean_linkedin_url

BATCH = settings.IMPORT_BATCH_ROWS
# Changes that move or close a contact's open reconnect follow-up.
_CADENCE_FIELDS = frozenset({"reconnect_every_days", "archived", "reconnect_due_at"})
# A new cadence or a later last contact recomputes when to reconnect.
_RECONNECT_INPUTS = frozenset({"reconnect_every_days", "last_contacted_at"})
# The error report keeps the first MAX_ERRORS rows; `error_count` has the total.
MAX_ERRORS = 1000
# A dry run names the first rows it would create or update (the Import page's preview).
PREVIEW_ROWS = 10

Progress = Callable[[int, int], None]


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    skipped: int = 0
    errors: list[dict] = field(default_factory=list)
    error_count: int = 0
    job_changes: int = 0
    dry_run: bool = False
    # The first PREVIEW_ROWS rows it creates or updates: {row, action, name, company, changes}.
    first_rows: list[dict] = field(default_factory=list)

    def add_row(self, line: int, action: str, contact: Contact, company: str, changes=()) -> None:
        if len(self.first_rows) < PREVIEW_ROWS:
            self.first_rows.append(
                {
                    "row": line,
                    "action": action,
                    "name": contact.full_name,
                    "company": company,
                    "changes": sorted(name.replace("_", " ") for name in set(changes) - {"updated_at"}),
                }
            )

    def add_error(self, line: int, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append({"row": line, "message": message})

    def as_dict(self) -> dict:
        return {
            "created": self.created,
            "updated": self.updated,
            "skipped": self.skipped,
            "errors": self.errors,
            "error_count": self.error_count,
            "job_changes": self.job_changes,
            "dry_run": self.dry_run,
            "first_rows": self.first_rows,
        }


def upsert_in_one_transaction(
    *, owner, kind: str, rows: Iterable, total: int, dry_run: bool, progress: Progress | None = None
) -> ImportResult:
    """All or nothing: every row in one transaction; a dry run computes the result and rolls back."""
    with transaction.atomic():
        if not dry_run:
            # Held to the end: no other import of the account writes between our reads and writes.
            lock_account_imports(owner)
        result = Upsert(owner=owner, kind=kind, dry_run=dry_run).run(rows, total, progress)
        if dry_run:
            transaction.set_rollback(True)
    return result


def lock_account_imports(owner) -> None:
    """Every import path takes this lock (the account's user row) for as long as it matches
    rows against the account's contacts and writes them, so two imports of one account —
    direct or background, on any host — never both create the same person."""
    get_user_model().objects.select_for_update().filter(pk=owner.pk).exists()


# --- keys --------------------------------------------------------------------------------


def _company_key(name: str) -> str:
    return text_key(name)


def _name_key(first: str, last: str, company_key: str) -> tuple[str, str, str]:
    return (text_key(first), text_key(last), company_key)


def _name_text(*parts: str) -> str:
    return text_key(" ".join(parts))


def _saved_ref(ref) -> bool:
    """A ref that names a saved contact (a dry run's contacts get negative stand-in ids)."""
    return isinstance(ref, int) and ref > 0


def _put(contact: Contact, changed: list[str], name: str, value) -> None:
    if getattr(contact, name) != value:
        setattr(contact, name, value)
        changed.append(name)


class _New:
    """An index entry for a contact created earlier in the current batch (no id yet)."""

    __slots__ = ("contact",)

    def __init__(self, contact: Contact):
        self.contact = contact


@dataclass
class _Batch:
    """What one batch of rows will write, gathered before one round of bulk writes."""

    fetched: dict[int, Contact]
    # Tag ids each fetched contact already has, so re-importing a tag links nothing new.
    existing_tags: dict[int, set[int]]
    to_create: list[Contact] = field(default_factory=list)
    to_update: dict[int, set[str]] = field(default_factory=dict)
    tag_links: list[tuple[Contact, Tag]] = field(default_factory=list)
    linked: set[tuple[int, int]] = field(default_factory=set)
    events: list[ContactEvent] = field(default_factory=list)
    new_companies: list[Company] = field(default_factory=list)
    new_tags: list[Tag] = field(default_factory=list)


class Upsert:
    """One import run. Contacts are referred to by id (saved) or by a `_New` entry (created
    earlier in the same batch); in a dry run, `dry_cache` holds them under stand-in ids."""

    def __init__(self, *, owner, kind: str, dry_run: bool, lock_each_batch: bool = False):
        self.owner = owner
        # A background import commits batch by batch: each batch takes the account's import
        # lock and first learns what other imports wrote since its last look.
        self.lock_each_batch = lock_each_batch
        self.kind = kind
        self.dry_run = dry_run
        self.linkedin = kind == ImportJob.Kind.LINKEDIN
        self.default_source = Source.LINKEDIN if self.linkedin else Source.OTHER
        self.now = timezone.now()
        self.result = ImportResult(dry_run=dry_run)
        self.created_ids: set[int] = set()
        # A dry run never saves, so later batches read changed contacts from here.
        self.dry_cache: dict[int, Contact] = {}
        self._next_fake_id = -1
        self.referrals: list[tuple[Contact, str, int, str]] = []
        self.batch = _Batch(fetched={}, existing_tags={})
        self._load()

    # Loaded once per import: no per-row queries.
    def _load(self) -> None:
        self.looked_at = timezone.now()
        self.companies: dict[str, Company] = {}
        self.company_key_by_id: dict[int, str] = {}
        for company in Company.objects.filter(owner=self.owner).only("id", "name"):
            key = _company_key(company.name)
            self.companies.setdefault(key, company)
            self.company_key_by_id[company.pk] = key
        self.tags: dict[str, Tag] = {t.name_key: t for t in Tag.objects.filter(owner=self.owner)}
        self.by_url: dict[str, object] = {}
        self.by_email: dict[str, object] = {}
        self.by_name: dict[tuple, object] = {}
        self.url_of: dict[object, str] = {}
        rows = Contact.objects.filter(owner=self.owner).values_list(
            "id", "linkedin_url", "email", "first_name", "last_name", "company_id"
        )
        self.max_seen_id = 0
        for pk, url, email, first, last, company_id in rows.iterator(chunk_size=5000):
            self._index(pk, url, email, first, last, self.company_key_by_id.get(company_id, ""))
            self.max_seen_id = max(self.max_seen_id, pk)

    # Rows another import may have written a moment before ours was stamped: looked at again.
    REFRESH_OVERLAP = timedelta(minutes=2)

    def _refresh(self) -> None:
        """Learn what other imports of the account wrote since the last look (called under the lock)."""
        since = self.looked_at - self.REFRESH_OVERLAP
        self.looked_at = timezone.now()
        for company in Company.objects.filter(owner=self.owner, created_at__gte=since).only("id", "name"):
            key = _company_key(company.name)
            if self.companies.get(key) is None or self.companies[key].pk is None:
                self.companies[key] = company
            self.company_key_by_id[company.pk] = key
        self.tags.update({t.name_key: t for t in Tag.objects.filter(owner=self.owner)})
        changed = Contact.objects.filter(owner=self.owner).filter(Q(pk__gt=self.max_seen_id) | Q(updated_at__gte=since))
        for pk, url, email, first, last, company_id in changed.values_list(
            "id", "linkedin_url", "email", "first_name", "last_name", "company_id"
        ):
            self._index(pk, url, email, first, last, self.company_key_by_id.get(company_id, ""))
            self.max_seen_id = max(self.max_seen_id, pk)

    def _index(self, ref, url: str, email: str, first: str, last: str, company_key: str) -> None:
        if url:
            self.by_url.setdefault(url, ref)
            self.url_of[ref] = url
        if email:
            self.by_email.setdefault(email.lower(), ref)
        self.by_name.setdefault(_name_key(first, last, company_key), ref)

    def _match(self, row: ContactRow):
        if row.linkedin_url and row.linkedin_url in self.by_url:
            return self.by_url[row.linkedin_url]
        candidates = []
        if row.email:
            candidates.append(self.by_email.get(row.email.lower()))
        candidates.append(self.by_name.get(_name_key(row.first_name, row.last_name, _company_key(row.company))))
        for ref in candidates:
            if ref is None:
                continue
            # Two different LinkedIn profiles are two people, whatever else they share.
            known_url = self.url_of.get(ref, "")
            if row.linkedin_url and known_url and known_url != row.linkedin_url:
                continue
            return ref
        return None

    # --- companies and tags ---------------------------------------------------------------

    def _company(self, name: str) -> Company | None:
        if not name:
            return None
        key = _company_key(name)
        company = self.companies.get(key)
        if company is None:
            company = Company(owner=self.owner, name=one_line(name), name_key=key)
            self.companies[key] = company
            self.batch.new_companies.append(company)
        return company

    def _tag(self, name: str) -> Tag:
        key = text_key(name)
        tag = self.tags.get(key)
        if tag is None:
            tag = Tag(owner=self.owner, name=name, name_key=key)
            self.tags[key] = tag
            self.batch.new_tags.append(tag)
        return tag

    def _company_key_of(self, contact: Contact) -> str:
        if contact.company_id:
            return self.company_key_by_id.get(contact.company_id, "")
        company = getattr(contact, "_import_company", None)
        return _company_key(company.name) if company else ""

    def _company_name(self, contact: Contact) -> str:
        company = getattr(contact, "_import_company", None)
        if company is not None:
            return company.name
        if contact.company_id:
            # Only the key (lower-case) is cached; fetch the display name from the loaded map.
            key = self.company_key_by_id.get(contact.company_id, "")
            found = self.companies.get(key)
            return found.name if found else key
        return ""

    # --- the run --------------------------------------------------------------------------

    def run(self, rows: Iterable, total: int, progress: Progress | None) -> ImportResult:
        """Upsert every row, batch by batch, calling `progress(done, total)` after each batch."""
        batch: list = []
        processed = 0
        for item in rows:
            batch.append(item)
            if len(batch) >= BATCH:
                self._batch(batch)
                processed += len(batch)
                batch = []
                if progress:
                    progress(processed, total)
        if batch:
            self._batch(batch)
            processed += len(batch)
        self._resolve_referrals()
        if progress:
            progress(processed, total)
        return self.result

    def _batch(self, items: list) -> None:
        if not self.lock_each_batch:
            self._match_and_write(items)
            return
        with transaction.atomic():
            lock_account_imports(self.owner)
            self._refresh()
            self._match_and_write(items)

    def _match_and_write(self, items: list) -> None:
        self.batch = self._prefetch(items)
        for item in items:
            if isinstance(item, RowError):
                self.result.add_error(item.line, item.message)
                continue
            # Matched again row by row: an earlier row of this batch may be the same person.
            ref = self._match(item)
            if ref is None:
                self._create(item)
            else:
                self._update(ref, item)
        if self.dry_run:
            for contact in self.batch.to_create:
                self._assign_fake_id(contact)
        else:
            self._flush()

    def _prefetch(self, items: list) -> _Batch:
        """One query for every existing contact this batch touches (and one for their tags)."""
        matches = [self._match(item) for item in items if isinstance(item, ContactRow)]
        wanted = {ref for ref in matches if _saved_ref(ref) and ref not in self.dry_cache}
        fetched = Contact.objects.filter(owner=self.owner, pk__in=wanted).in_bulk() if wanted else {}
        existing_tags: dict[int, set[int]] = {}
        if wanted and any(isinstance(i, ContactRow) and i.tags for i in items):
            through = Contact.tags.through.objects.filter(contact_id__in=wanted)
            for contact_id, tag_id in through.values_list("contact_id", "tag_id"):
                existing_tags.setdefault(contact_id, set()).add(tag_id)
        return _Batch(fetched=fetched, existing_tags=existing_tags)

    def _link_tag(self, contact: Contact, name: str, existing: Collection[int] = ()) -> bool:
        """Link the contact to the named tag once; True when that is a new link."""
        tag = self._tag(name)
        if tag.pk is not None and tag.pk in existing:
            return False
        key = (id(contact), id(tag))
        if key in self.batch.linked:
            return False
        self.batch.linked.add(key)
        self.batch.tag_links.append((contact, tag))
        return True

    def _create(self, row: ContactRow) -> None:
        contact = self._new_contact(row)
        self.batch.to_create.append(contact)
        for tag_name in row.tags:
            self._link_tag(contact, tag_name)
        if row.referred_by:
            self.referrals.append((contact, row.referred_by, row.line, "created"))
        self.result.created += 1
        self.result.add_row(row.line, "create", contact, row.company)

    def _known_contact(self, ref) -> Contact:
        if isinstance(ref, _New):
            return ref.contact
        if ref in self.dry_cache:
            return self.dry_cache[ref]
        fetched = self.batch.fetched
        if ref not in fetched:
            # Matched through a contact an earlier row of this batch changed: not prefetched.
            fetched[ref] = Contact.objects.get(owner=self.owner, pk=ref)
        return fetched[ref]

    def _update(self, ref, row: ContactRow) -> None:
        contact = self._known_contact(ref)
        fresh = isinstance(ref, _New) or contact.pk in self.created_ids
        changed, event = self._merge(contact, row, record_job_change=self.linkedin and not fresh)
        existing = self.batch.existing_tags.get(contact.pk, ())
        new_links = [self._link_tag(contact, tag_name, existing) for tag_name in row.tags]
        if any(new_links):
            changed = changed or ["tags"]
        if event is not None:
            self.batch.events.append(event)
            self.result.job_changes += 1
        if changed:
            self.result.updated += 1
            self.result.add_row(row.line, "update", contact, self._company_name(contact), changed)
            if not isinstance(ref, _New):
                self._keep_changed(contact, changed)
        else:
            self.result.skipped += 1
        if row.referred_by:
            self.referrals.append((contact, row.referred_by, row.line, "updated" if changed else "skipped"))

    def _keep_changed(self, contact: Contact, changed: list[str]) -> None:
        self.batch.to_update.setdefault(contact.pk, set()).update(f for f in changed if f != "tags")
        if self.dry_run:
            self.dry_cache[contact.pk] = contact
        else:
            self.batch.fetched[contact.pk] = contact

    def _assign_fake_id(self, contact: Contact) -> None:
        fake = self._next_fake_id
        self._next_fake_id -= 1
        self._reindex(contact, fake)
        self.dry_cache[fake] = contact
        self.created_ids.add(fake)
        contact.pk = fake

    def _reindex(self, contact: Contact, ref) -> None:
        """Point the index at the saved id instead of the in-memory instance."""
        new = contact._import_ref
        url = contact.linkedin_url
        if url and self.by_url.get(url) is new:
            self.by_url[url] = ref
        if contact.email and self.by_email.get(contact.email.lower()) is new:
            self.by_email[contact.email.lower()] = ref
        key = _name_key(contact.first_name, contact.last_name, self._company_key_of(contact))
        if self.by_name.get(key) is new:
            self.by_name[key] = ref
        if new in self.url_of:
            self.url_of[ref] = self.url_of.pop(new)

    def _new_contact(self, row: ContactRow) -> Contact:
        company = self._company(row.company)
        contact = Contact(
            owner=self.owner,
            first_name=row.first_name,
            last_name=row.last_name,
            email=row.email,
            linkedin_url=row.linkedin_url,
            company=company,
            title=row.title,
            relationship=row.relationship or relationship_from_title(row.title) or Contact.Relationship.OTHER,
            source=row.source or self.default_source,
            how_we_met=row.how_we_met,
            connected_on=row.connected_on,
            reconnect_every_days=row.reconnect_every_days,
            archived=bool(row.archived),
            last_contacted_at=row.last_contacted_at,
        )
        contact._import_company = company
        contact._import_ref = _New(contact)
        contact.reconnect_due_at = contact.reconnect_due(now=self.now)
        self._index(
            contact._import_ref,
            contact.linkedin_url,
            contact.email,
            contact.first_name,
            contact.last_name,
            _company_key(company.name) if company else "",
        )
        return contact

    # --- merging a row into a known contact -------------------------------------------------

    def _merge(self, contact: Contact, row: ContactRow, *, record_job_change: bool):
        """Apply what the file says; an empty value in the file never clears anything.

        Returns (the changed field names, a job-change event or None).
        """
        changed: list[str] = []
        old_company_key = self._company_key_of(contact)
        old_company_name = self._company_name(contact)
        old_title = contact.title
        self._merge_identity(contact, row, changed)
        new_company_key = self._merge_company(contact, row, changed, old_company_key)
        self._merge_details(contact, row, changed)
        if _RECONNECT_INPUTS & set(changed):
            contact.reconnect_due_at = contact.reconnect_due(now=self.now)
            changed.append("reconnect_due_at")
        if changed:
            ref = contact.pk or contact._import_ref
            self._index(
                ref, contact.linkedin_url, contact.email, contact.first_name, contact.last_name, new_company_key
            )
        company_moved = "company" in changed and old_company_key != ""
        title_moved = "title" in changed and old_title != ""
        event = None
        if record_job_change and (company_moved or title_moved):
            event = self._job_change(contact, old_company_name, old_title, company_moved)
        return changed, event

    def _merge_identity(self, contact: Contact, row: ContactRow, changed: list[str]) -> None:
        if not self.linkedin:
            # The user's own file (CSV, vCard) may correct names; LinkedIn's never overrides them.
            if row.first_name:
                _put(contact, changed, "first_name", row.first_name)
            if row.last_name:
                _put(contact, changed, "last_name", row.last_name)
        if row.email and row.email.lower() != contact.email.lower():
            _put(contact, changed, "email", row.email)
        if row.linkedin_url:
            _put(contact, changed, "linkedin_url", row.linkedin_url)

    def _merge_company(self, contact: Contact, row: ContactRow, changed: list[str], old_key: str) -> str:
        """Move the contact to the row's company if it names another one; returns the company key."""
        if not row.company or _company_key(row.company) == old_key:
            return old_key
        company = self._company(row.company)
        contact.company = company
        contact._import_company = company
        changed.append("company")
        return _company_key(row.company)

    def _merge_details(self, contact: Contact, row: ContactRow, changed: list[str]) -> None:
        for name in ("title", "connected_on", "relationship", "source", "how_we_met"):
            value = getattr(row, name)
            if value:
                _put(contact, changed, name, value)
        # A relationship the file does not name is guessed from the title, but only over the
        # default `other`: one the user chose (or an earlier file named) is theirs.
        if not row.relationship and contact.relationship == Contact.Relationship.OTHER:
            guessed = relationship_from_title(contact.title)
            if guessed:
                _put(contact, changed, "relationship", guessed)
        if row.reconnect_every_days is not None:
            _put(contact, changed, "reconnect_every_days", row.reconnect_every_days)
        if row.archived is not None:
            _put(contact, changed, "archived", row.archived)
        # Never moves the last contact backwards.
        if row.last_contacted_at and (
            contact.last_contacted_at is None or row.last_contacted_at > contact.last_contacted_at
        ):
            _put(contact, changed, "last_contacted_at", row.last_contacted_at)

    def _job_change(self, contact: Contact, old_company: str, old_title: str, company_moved: bool) -> ContactEvent:
        new_company = self._company_name(contact)
        name = contact.full_name
        if company_moved:
            summary = f"{name} moved to {new_company}"
            if contact.title and contact.title != old_title:
                summary += f" as {contact.title}"
        else:
            summary = f"{name} is now {contact.title}" + (f" at {new_company}" if new_company else "")
        return ContactEvent(
            owner=self.owner,
            contact=contact,
            kind=ContactEvent.Kind.JOB_CHANGE,
            summary=summary[:300],
            previous_company=old_company[:200],
            previous_title=old_title[:200],
            new_company=new_company[:200],
            new_title=contact.title[:200],
        )

    # --- writing: one round of bulk writes per batch ----------------------------------------

    def _flush(self) -> None:
        with transaction.atomic():
            self._save_companies_and_tags()
            self._create_contacts()
            self._update_contacts()
            self._save_tag_links_and_events()

    def _save_companies_and_tags(self) -> None:
        new_companies = self.batch.new_companies
        if new_companies:
            Company.objects.bulk_create(new_companies, batch_size=BATCH)
            for company in new_companies:
                self.company_key_by_id[company.pk] = _company_key(company.name)
        if self.batch.new_tags:
            Tag.objects.bulk_create(self.batch.new_tags, batch_size=BATCH)

    def _create_contacts(self) -> None:
        to_create = self.batch.to_create
        for contact in to_create:
            if contact.company is not None:
                contact.company_id = contact.company.pk
        if not to_create:
            return
        Contact.objects.bulk_create(to_create, batch_size=BATCH)
        for contact in to_create:
            self.created_ids.add(contact.pk)
            self._reindex(contact, contact.pk)
            self.max_seen_id = max(self.max_seen_id, contact.pk)

    def _update_contacts(self) -> None:
        to_update = self.batch.to_update
        if not to_update:
            return
        fields: set[str] = set().union(*to_update.values())
        contacts = [self.batch.fetched[pk] for pk in to_update]
        for contact in contacts:
            if contact.company is not None and contact.company_id is None:
                contact.company_id = contact.company.pk
            contact.updated_at = timezone.now()  # when it was written: other imports look for it
        Contact.objects.bulk_update(contacts, [*sorted(fields), "updated_at"], batch_size=BATCH)
        # As contact_update does: a new cadence, archiving or a later last contact moves
        # or closes the open reconnect follow-up (outreach listens).
        for contact in contacts:
            cadence_changed = _CADENCE_FIELDS & to_update[contact.pk]
            if cadence_changed:
                contact_cadence_changed.send(sender=Contact, contact=contact, changed=cadence_changed)

    def _save_tag_links_and_events(self) -> None:
        if self.batch.tag_links:
            through = Contact.tags.through
            through.objects.bulk_create(
                [through(contact_id=contact.pk, tag_id=tag.pk) for contact, tag in self.batch.tag_links],
                ignore_conflicts=True,
                batch_size=BATCH,
            )
        events = self.batch.events
        for event in events:
            event.contact_id = event.contact.pk
        if events:
            ContactEvent.objects.bulk_create(events, batch_size=BATCH)

    # --- referrals, resolved once every row is in ------------------------------------------

    def _referral_pool(self) -> list[tuple]:
        """(id, first, last, company name) of every contact a referred_by cell may name."""
        saved = Contact.objects.filter(owner=self.owner).values_list("id", "first_name", "last_name", "company__name")
        if not self.dry_run:
            return list(saved)
        pool = [(c.pk, c.first_name, c.last_name, self._company_name(c)) for c in self.dry_cache.values()]
        seen = {row[0] for row in pool}
        return pool + [row for row in saved if row[0] not in seen]

    def _resolve_referrals(self) -> None:
        if not self.referrals:
            return
        by_full_name: dict[str, list] = {}
        by_label: dict[str, list] = {}
        for pk, first, last, company in self._referral_pool():
            by_full_name.setdefault(_name_text(first, last), []).append(pk)
            by_label.setdefault(_name_text(referrer_label(first, last, company or "")), []).append(pk)
        updates: dict[int, int] = {}
        for contact, key, line, outcome in self.referrals:
            referrer = self._find_referrer(key, by_label, by_full_name)
            if referrer is None:
                self.result.add_error(
                    line, f"referred_by “{key}” matches no contact; the rest of the row was imported."
                )
                continue
            if referrer == contact.pk or contact.referred_by_id == referrer:
                continue
            contact.referred_by_id = referrer
            if contact.pk > 0:
                updates[contact.pk] = referrer
            if outcome == "skipped":
                self.result.skipped -= 1
                self.result.updated += 1
        if updates and not self.dry_run:
            objects = [Contact(pk=pk, referred_by_id=ref, updated_at=self.now) for pk, ref in updates.items()]
            Contact.objects.bulk_update(objects, ["referred_by", "updated_at"], batch_size=BATCH)

    def _find_referrer(self, key: str, by_label: dict, by_full_name: dict) -> int | None:
        ref = None
        if "linkedin.com" in key.lower():
            try:
                ref = self.by_url.get(clean_linkedin_url(key, "referred_by"))
            except RowInvalid:
                ref = None
        elif "@" in key:
            ref = self.by_email.get(key.lower())
        if ref is None:
            # "First Last (Company)" as the export writes it, else a plain "First Last" if only one has it.
            for names in (by_label, by_full_name):
                matches = names.get(_name_text(key), [])
                if len(matches) == 1:
                    ref = matches[0]
                    break
        if isinstance(ref, _New):
            ref = ref.contact.pk
        return ref
