"""Every write an import makes goes through here: one upsert for LinkedIn, CSV and vCard rows.

Speed and memory: the file is streamed; the owner's companies, tags and contact keys
(LinkedIn URL, e-mail, first/last/company) are loaded once; rows are handled in batches of
BATCH with one fetch of the matched contacts and bulk_create/bulk_update per batch, so a
30,000-row LinkedIn export costs a few dozen queries, not tens of thousands.
"""

import io
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone

from contacts.models import Company, Contact, ContactEvent, ImportJob, Source, Tag
from contacts.signals import contact_cadence_changed

from . import csv_format, linkedin, vcard
from .csv_format import referrer_label
from .reading import ImportRejected, check_size, detect_encoding, open_text
from .rows import ContactRow, RowError

logger = logging.getLogger(__name__)

BATCH = 1000
# Changes that move or close a contact's open reconnect follow-up.
_CADENCE_FIELDS = frozenset({"reconnect_every_days", "archived", "reconnect_due_at"})
# The error report keeps the first MAX_ERRORS rows; `error_count` has the total.
MAX_ERRORS = 1000

Kind = ImportJob.Kind


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    skipped: int = 0
    errors: list[dict] = field(default_factory=list)
    error_count: int = 0
    job_changes: int = 0
    dry_run: bool = False

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
        }


@dataclass
class Inspection:
    encoding: str
    total_rows: int


# --- reading a file ----------------------------------------------------------------------


def import_inspect(*, kind: str, fileobj, size: int | None = None) -> Inspection:
    """Check the whole file (size, encoding, header, syntax) and count its rows; writes nothing.

    Raises ImportRejected (400) or FileTooLarge (413) with a message for the user.
    """
    check_size(size)
    encoding = detect_encoding(fileobj)
    text = open_text(fileobj, encoding)
    if kind == Kind.VCARD:
        total = vcard.count(vcard.read_text(text))
    elif kind == Kind.LINKEDIN:
        records, _ = linkedin.read_header(text)
        total = sum(1 for _ in records)
    else:
        records, _ = csv_format.read_header(text)
        total = sum(1 for _ in records)
    fileobj.seek(0)
    return Inspection(encoding=encoding, total_rows=total)


def _rows(kind: str, fileobj, encoding: str) -> Iterator[ContactRow | RowError]:
    text = open_text(fileobj, encoding)
    if kind == Kind.LINKEDIN:
        return linkedin.parse(text)
    if kind == Kind.CSV:
        return csv_format.parse(text)
    if kind == Kind.VCARD:
        return vcard.parse(vcard.read_text(text))
    raise ValueError(f"Unknown import kind {kind!r}")


def import_contacts(
    *,
    owner,
    kind: str,
    fileobj,
    dry_run: bool = False,
    size: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    inspection: Inspection | None = None,
) -> ImportResult:
    """Import a LinkedIn / CSV / vCard file into the owner's contacts.

    All or nothing: the file is checked first, then every row is written in one
    transaction. `dry_run` computes the same result and writes nothing.
    """
    inspection = inspection or import_inspect(kind=kind, fileobj=fileobj, size=size)
    rows = _rows(kind, fileobj, inspection.encoding)
    total = inspection.total_rows
    with transaction.atomic():
        if not dry_run:
            # One import at a time per account: each loads the account's keys once up front.
            get_user_model().objects.select_for_update().filter(pk=owner.pk).exists()
        result = _Upsert(owner=owner, kind=kind, dry_run=dry_run).run(rows, total, progress)
        if dry_run:
            transaction.set_rollback(True)
    return result


# --- the upsert --------------------------------------------------------------------------


def _company_key(name: str) -> str:
    return " ".join(name.split()).lower()


def _name_key(first: str, last: str, company_key: str) -> tuple[str, str, str]:
    return (first.lower(), last.lower(), company_key)


def _name_text(*parts: str) -> str:
    return " ".join(" ".join(parts).split()).lower()


class _New:
    """An index entry for a contact created earlier in the current batch (no id yet)."""

    __slots__ = ("contact",)

    def __init__(self, contact: Contact):
        self.contact = contact


class _Upsert:
    """One import run. Contacts are referred to by id (saved) or by the unsaved instance
    (created earlier in the same batch); `self.pending` maps synthetic ids in a dry run."""

    def __init__(self, *, owner, kind: str, dry_run: bool):
        self.owner = owner
        self.kind = kind
        self.dry_run = dry_run
        self.linkedin = kind == Kind.LINKEDIN
        self.default_source = Source.LINKEDIN if self.linkedin else Source.OTHER
        self.now = timezone.now()
        self.result = ImportResult(dry_run=dry_run)
        self.created_ids: set[int] = set()
        # A dry run never saves, so later batches read changed contacts from here.
        self.dry_cache: dict[int, Contact] = {}
        self._next_fake_id = -1
        self.referrals: list[tuple[object, str, int, str]] = []
        self._load()

    # Loaded once per import: no per-row queries.
    def _load(self) -> None:
        self.companies: dict[str, Company] = {}
        self.company_key_by_id: dict[int, str] = {}
        for company in Company.objects.filter(owner=self.owner).only("id", "name"):
            key = _company_key(company.name)
            self.companies.setdefault(key, company)
            self.company_key_by_id[company.pk] = key
        self.tags: dict[str, Tag] = {t.name.lower(): t for t in Tag.objects.filter(owner=self.owner)}
        self.by_url: dict[str, object] = {}
        self.by_email: dict[str, object] = {}
        self.by_name: dict[tuple, object] = {}
        self.url_of: dict[object, str] = {}
        rows = Contact.objects.filter(owner=self.owner).values_list(
            "id", "linkedin_url", "email", "first_name", "last_name", "company_id"
        )
        for pk, url, email, first, last, company_id in rows.iterator(chunk_size=5000):
            self._index(pk, url, email, first, last, self.company_key_by_id.get(company_id, ""))

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
            company = Company(owner=self.owner, name=" ".join(name.split()))
            self.companies[key] = company
            self.new_companies.append(company)
        return company

    def _tag(self, name: str) -> Tag:
        tag = self.tags.get(name.lower())
        if tag is None:
            tag = Tag(owner=self.owner, name=name)
            self.tags[name.lower()] = tag
            self.new_tags.append(tag)
        return tag

    def _company_key_of(self, contact: Contact) -> str:
        if contact.company_id:
            return self.company_key_by_id.get(contact.company_id, "")
        company = getattr(contact, "_import_company", None)
        return _company_key(company.name) if company else ""

    # --- the run --------------------------------------------------------------------------

    def run(self, rows: Iterable, total: int, progress) -> ImportResult:
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
        self.new_companies: list[Company] = []
        self.new_tags: list[Tag] = []
        to_create: list[Contact] = []
        to_update: dict[int, set[str]] = {}
        tag_links: list[tuple[Contact, Tag]] = []
        linked: set[tuple[int, int]] = set()
        events: list[ContactEvent] = []

        # One query for every existing contact this batch touches.
        matches = [self._match(item) for item in items if isinstance(item, ContactRow)]
        wanted = {ref for ref in matches if isinstance(ref, int) and ref > 0 and ref not in self.dry_cache}
        fetched = Contact.objects.filter(owner=self.owner, pk__in=wanted).in_bulk() if wanted else {}
        existing_tags: dict[int, set[int]] = {}
        if wanted and any(isinstance(i, ContactRow) and i.tags for i in items):
            for contact_id, tag_id in Contact.tags.through.objects.filter(contact_id__in=wanted).values_list(
                "contact_id", "tag_id"
            ):
                existing_tags.setdefault(contact_id, set()).add(tag_id)

        for item in items:
            if isinstance(item, RowError):
                self.result.add_error(item.line, item.message)
                continue
            # Matched again row by row: an earlier row of this batch may be the same person.
            ref = self._match(item)
            if isinstance(ref, int) and ref > 0 and ref not in fetched and ref not in self.dry_cache:
                fetched[ref] = Contact.objects.get(owner=self.owner, pk=ref)
            if ref is None:
                contact = self._new_contact(item)
                to_create.append(contact)
                for tag_name in item.tags:
                    tag = self._tag(tag_name)
                    if (id(contact), id(tag)) not in linked:
                        linked.add((id(contact), id(tag)))
                        tag_links.append((contact, tag))
                if item.referred_by:
                    self.referrals.append((contact, item.referred_by, item.line, "created"))
                self.result.created += 1
                continue
            contact = ref.contact if isinstance(ref, _New) else self.dry_cache.get(ref) or fetched[ref]
            fresh = isinstance(ref, _New) or contact.pk in self.created_ids
            changed, event = self._merge(contact, item, record_job_change=self.linkedin and not fresh)
            for tag_name in item.tags:
                tag = self._tag(tag_name)
                already = tag.pk is not None and tag.pk in existing_tags.get(contact.pk, ())
                if not already and (id(contact), id(tag)) not in linked:
                    linked.add((id(contact), id(tag)))
                    tag_links.append((contact, tag))
                    changed = changed or ["tags"]
            if event is not None:
                events.append(event)
                self.result.job_changes += 1
            outcome = "updated" if changed else "skipped"
            if changed:
                self.result.updated += 1
                if not isinstance(ref, _New):
                    to_update.setdefault(contact.pk, set()).update(f for f in changed if f != "tags")
                    if self.dry_run:
                        self.dry_cache[contact.pk] = contact
                    else:
                        fetched[contact.pk] = contact
            else:
                self.result.skipped += 1
            if item.referred_by:
                self.referrals.append((contact, item.referred_by, item.line, outcome))
        if self.dry_run:
            for contact in to_create:
                self._assign_fake_id(contact)
        else:
            self._flush(to_create, to_update, fetched, tag_links, events)

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
            relationship=row.relationship or Contact.Relationship.OTHER,
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

    def _merge(self, contact: Contact, row: ContactRow, *, record_job_change: bool):
        """Apply what the file says; an empty value in the file never clears anything."""
        changed: list[str] = []
        old_company_key = self._company_key_of(contact)
        old_company_name = self._company_name(contact)
        old_title = contact.title

        def put(name: str, value) -> None:
            if getattr(contact, name) != value:
                setattr(contact, name, value)
                changed.append(name)

        if not self.linkedin:
            # The user's own file (CSV, vCard) may correct names; LinkedIn's never overrides them.
            if row.first_name:
                put("first_name", row.first_name)
            if row.last_name:
                put("last_name", row.last_name)
        if row.email and row.email.lower() != contact.email.lower():
            put("email", row.email)
        if row.linkedin_url:
            put("linkedin_url", row.linkedin_url)
        new_company_key = old_company_key
        if row.company and _company_key(row.company) != old_company_key:
            company = self._company(row.company)
            contact.company = company
            contact._import_company = company
            changed.append("company")
            new_company_key = _company_key(row.company)
        if row.title:
            put("title", row.title)
        if row.connected_on:
            put("connected_on", row.connected_on)
        for name in ("relationship", "source", "how_we_met"):
            value = getattr(row, name)
            if value:
                put(name, value)
        if row.reconnect_every_days is not None:
            put("reconnect_every_days", row.reconnect_every_days)
        if row.archived is not None:
            put("archived", row.archived)
        if row.last_contacted_at and (
            contact.last_contacted_at is None or row.last_contacted_at > contact.last_contacted_at
        ):
            put("last_contacted_at", row.last_contacted_at)
        if changed and {"reconnect_every_days", "last_contacted_at"} & set(changed):
            contact.reconnect_due_at = contact.reconnect_due(now=self.now)
            changed.append("reconnect_due_at")
        if changed:
            self._index(
                contact.pk or contact._import_ref,
                contact.linkedin_url,
                contact.email,
                contact.first_name,
                contact.last_name,
                new_company_key,
            )
        event = None
        company_moved = "company" in changed and old_company_key != ""
        title_moved = "title" in changed and old_title != ""
        if record_job_change and (company_moved or title_moved):
            event = self._job_change(contact, old_company_name, old_title, company_moved)
        return changed, event

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

    # --- writing --------------------------------------------------------------------------

    def _flush(self, to_create, to_update, fetched, tag_links, events) -> None:
        with transaction.atomic():
            if self.new_companies:
                Company.objects.bulk_create(self.new_companies, batch_size=BATCH)
                for company in self.new_companies:
                    self.company_key_by_id[company.pk] = _company_key(company.name)
            if self.new_tags:
                Tag.objects.bulk_create(self.new_tags, batch_size=BATCH)
            for contact in to_create:
                if contact.company is not None:
                    contact.company_id = contact.company.pk
            if to_create:
                Contact.objects.bulk_create(to_create, batch_size=BATCH)
                for contact in to_create:
                    self.created_ids.add(contact.pk)
                    self._reindex(contact, contact.pk)
            if to_update:
                fields: set[str] = set().union(*to_update.values())
                contacts = [fetched[pk] for pk in to_update]
                for contact in contacts:
                    if contact.company is not None and contact.company_id is None:
                        contact.company_id = contact.company.pk
                    contact.updated_at = self.now
                Contact.objects.bulk_update(contacts, [*sorted(fields), "updated_at"], batch_size=BATCH)
                # As contact_update does: a new cadence, archiving or a later last contact moves
                # or closes the open reconnect follow-up (outreach listens).
                for contact in contacts:
                    cadence_changed = _CADENCE_FIELDS & to_update[contact.pk]
                    if cadence_changed:
                        contact_cadence_changed.send(sender=Contact, contact=contact, changed=cadence_changed)
            if tag_links:
                through = Contact.tags.through
                Contact.tags.through.objects.bulk_create(
                    [through(contact_id=contact.pk, tag_id=tag.pk) for contact, tag in tag_links],
                    ignore_conflicts=True,
                    batch_size=BATCH,
                )
            for event in events:
                event.contact_id = event.contact.pk
            if events:
                ContactEvent.objects.bulk_create(events, batch_size=BATCH)

    # --- referrals, resolved once every row is in ------------------------------------------

    def _resolve_referrals(self) -> None:
        if not self.referrals:
            return
        by_full_name: dict[str, list] = {}
        if self.dry_run:
            pool = [(c.pk, c.first_name, c.last_name, self._company_name(c)) for c in self.dry_cache.values()]
            seen = {row[0] for row in pool}
            pool += [
                row
                for row in Contact.objects.filter(owner=self.owner).values_list(
                    "id", "first_name", "last_name", "company__name"
                )
                if row[0] not in seen
            ]
        else:
            pool = list(
                Contact.objects.filter(owner=self.owner).values_list("id", "first_name", "last_name", "company__name")
            )
        by_label: dict[str, list] = {}
        for pk, first, last, company in pool:
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
            if referrer == contact.pk:
                continue
            if contact.referred_by_id != referrer:
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
        from .rows import RowInvalid, clean_linkedin_url

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


# --- an upload from the API or the Import page ----------------------------------------------


@dataclass
class UploadOutcome:
    status_code: int = 200
    result: ImportResult | None = None
    job: ImportJob | None = None
    error: str = ""


def import_upload(*, owner, kind: str, upload, dry_run: bool = False) -> UploadOutcome:
    """Check an uploaded file, then import it now (small) or queue a background job (large).

    Files with more than IMPORT_SYNC_MAX_ROWS rows become a job; bad files are refused
    (400, or 413 over IMPORT_MAX_BYTES) with nothing written.
    """
    if upload is None:
        return UploadOutcome(status_code=400, error="Choose a file to import.")
    fileobj = upload.file
    try:
        inspection = import_inspect(kind=kind, fileobj=fileobj, size=upload.size)
        if inspection.total_rows > settings.IMPORT_SYNC_MAX_ROWS:
            job = import_job_create(
                owner=owner,
                kind=kind,
                fileobj=fileobj,
                filename=upload.name,
                dry_run=dry_run,
                total_rows=inspection.total_rows,
            )
            return UploadOutcome(status_code=202, job=job)
        result = import_contacts(owner=owner, kind=kind, fileobj=fileobj, dry_run=dry_run, inspection=inspection)
    except ImportRejected as exc:
        return UploadOutcome(status_code=exc.status_code, error=exc.message)
    except IntegrityError:
        # A background import of this account wrote the same people meanwhile; nothing was kept.
        return UploadOutcome(
            status_code=409,
            error="Another import into your account was running at the same time. Nothing was written; "
            "import the file again (it is safe to repeat).",
        )
    return UploadOutcome(result=result)


# --- background jobs ---------------------------------------------------------------------


def import_job_create(*, owner, kind: str, fileobj, filename: str, dry_run: bool, total_rows: int) -> ImportJob:
    """Keep the upload and queue its import; the caller answers 202 with the job's status URL."""
    from contacts import tasks

    fileobj.seek(0)
    job = ImportJob(
        owner=owner,
        kind=kind,
        dry_run=dry_run,
        filename=(filename or "")[:255],
        total_rows=total_rows,
        content=fileobj.read(),
    )
    job.full_clean(exclude=["content"])
    job.save()
    job_id = str(job.pk)
    transaction.on_commit(lambda: _queue(tasks.run_import_job, job_id))
    return job


def _queue(task, job_id: str) -> None:
    """Hand the job to a worker; if the broker is down, say so on the job instead of a 500."""
    try:
        task.delay(job_id)
    except Exception:  # kombu raises several connection error types
        logger.exception("Import job %s could not be queued", job_id)
        ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.PENDING).update(
            status=ImportJob.Status.FAILED,
            error="The import could not be started because the task queue is unavailable. Try again in a minute.",
            content=None,
            finished_at=timezone.now(),
        )


def import_job_run(*, job_id) -> ImportJob | None:
    """Run a queued job, recording progress after every batch so the page can show a bar.

    Running it twice is safe: a finished job is left alone, and the import itself is
    idempotent (a second run finds every row already there).
    """
    job = ImportJob.objects.filter(pk=job_id).first()
    if job is None or job.status in (ImportJob.Status.DONE, ImportJob.Status.FAILED):
        return job
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING)

    def progress(done: int, total: int) -> None:
        # Written outside the import's transaction only on PostgreSQL/SQLite autocommit
        # connections; inside it the row update is visible once the job commits.
        ImportJob.objects.filter(pk=job.pk).update(processed_rows=done, total_rows=max(total, done))

    content = bytes(job.content or b"")
    try:
        result = _import_in_batches(job, io.BytesIO(content), progress)
    except ImportRejected as exc:
        _finish(job, status=ImportJob.Status.FAILED, error=exc.message)
    except Exception as exc:  # recorded for the user; the worker log has the traceback
        _finish(job, status=ImportJob.Status.FAILED, error=f"The import stopped: {type(exc).__name__}.")
        raise
    else:
        _finish(job, status=ImportJob.Status.DONE, result=result.as_dict())
    job.refresh_from_db()
    return job


def _import_in_batches(job: ImportJob, fileobj, progress) -> ImportResult:
    """A background import commits batch by batch so that progress is visible while it runs.

    A dry run still runs in one transaction that is rolled back; its progress is reported
    once at the end. A crash part-way leaves the batches already committed; running the
    file again completes it without duplicates.
    """
    inspection = import_inspect(kind=job.kind, fileobj=fileobj)
    if job.dry_run:
        return import_contacts(owner=job.owner, kind=job.kind, fileobj=fileobj, dry_run=True, inspection=inspection)
    rows = _rows(job.kind, fileobj, inspection.encoding)
    return _Upsert(owner=job.owner, kind=job.kind, dry_run=False).run(rows, inspection.total_rows, progress)


def _finish(job: ImportJob, *, status: str, result: dict | None = None, error: str = "") -> None:
    ImportJob.objects.filter(pk=job.pk).update(
        status=status,
        result=result,
        error=error,
        content=None,
        finished_at=timezone.now(),
        processed_rows=job.total_rows if status == ImportJob.Status.DONE else job.processed_rows,
    )


# --- job changes: a reason to reach out ----------------------------------------------------


def job_change_acknowledge(*, event: ContactEvent) -> ContactEvent:
    """The user has seen the job change (congratulated them, or chose not to)."""
    if not event.acknowledged:
        event.acknowledged = True
        event.save(update_fields=["acknowledged"])
    return event
