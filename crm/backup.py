"""The whole account as one JSON document, and its restore into an empty account.

`backup_build(user)` reads everything the user owns; `backup_restore(user=, data=)` writes it
back into an account that holds no data yet (the starter templates every account gets
don't count: they are replaced), all or nothing in one transaction. Ids in the document
are the source account's; they only link rows within the document and new ids are given
on restore. Reminder rows are not copied (their keys name the old ids): they are planned
afresh for the restored follow-ups, chats and digest. The calendar token is not restored:
a backup file must not carry a working feed URL into another account.
"""

import base64
import json
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import DataError, IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from accounts.dates import EARLIEST_YEAR, LATEST_YEAR, in_supported_range
from accounts.errors import ApplicationError
from accounts.models import Profile
from accounts.services import model_update
from accounts.text import lone_surrogate, path_text, shown, surrogate_message
from contacts.models import Company, Contact, ContactEvent, Tag
from outreach import reminders
from outreach.models import (
    CaptureOffer,
    Conversation,
    Correspondent,
    FollowUp,
    MessageTemplate,
    PortfolioItem,
    Question,
    Stage,
    StageChange,
    StoredMail,
    Touch,
)
from outreach.services import PORTFOLIO_ITEM_FIELDS, QUESTION_FIELDS, TEMPLATE_FIELDS
from outreach.starter_questions import STARTER_QUESTIONS
from outreach.starter_templates import STARTER_TEMPLATES

from .models import Note, Opportunity

FORMAT = "coffeechat-backup"
VERSION = 1


# A contact's own values; its links (company, referrer, tags) point at other rows of the document.
CONTACT_PLAIN_FIELDS = tuple(name for name in Contact.FIELDS if not Contact._meta.get_field(name).is_relation)

# (section, model, plain fields, {fk field: section it points into}, timestamps kept on restore)
SECTIONS = (
    ("companies", Company, Company.EDITABLE_FIELDS, {}, ("created_at",)),
    ("tags", Tag, ("name",), {}, ()),
    ("portfolio", PortfolioItem, PORTFOLIO_ITEM_FIELDS, {}, ("created_at",)),
    ("templates", MessageTemplate, TEMPLATE_FIELDS, {}, ("created_at",)),
    (
        "contacts",
        Contact,
        CONTACT_PLAIN_FIELDS,
        {"company": "companies"},  # referred_by and tags: linked once every contact exists
        ("created_at", "updated_at"),
    ),
    (
        "contact_events",
        ContactEvent,
        ("kind", "summary", "previous_company", "previous_title", "new_company", "new_title", "acknowledged"),
        {"contact": "contacts"},
        ("created_at",),
    ),
    (
        "conversations",
        Conversation,
        (
            "kind",
            "channel",
            "stage",
            "requested_at",
            "scheduled_for",
            "held_at",
            "duration_minutes",
            "location",
            "agenda",
            "outcome",
            # What was sent and when they replied (#10); a backup from before has none: left empty.
            "message_subject",
            "message_body",
            "message_sent_at",
            "replied_at",
        ),
        {"contact": "contacts", "template": "templates", "portfolio_item": "portfolio"},
        ("created_at", "updated_at"),
    ),
    (
        "follow_ups",
        FollowUp,
        ("kind", "title", "due_at", "status", "completed_at"),
        {"contact": "contacts", "conversation": "conversations"},
        ("created_at",),
    ),
    (
        "notes",
        Note,
        ("kind", "body"),
        {"contact": "contacts", "conversation": "conversations"},
        ("created_at",),
    ),
    (
        "opportunities",
        Opportunity,
        ("title", "url", "status", "notes"),
        {"company": "companies", "referrer": "contacts", "conversation": "conversations"},
        ("created_at", "updated_at"),
    ),
    # Capture (issue #13). A touch's contacts are linked once it exists; a stored mail's original is base64.
    ("touches", Touch, ("channel", "at", "summary", "external_key"), {}, ("created_at",)),
    (
        "correspondents",
        Correspondent,
        ("name", "email", "linkedin_url", "source", "status", "first_seen_at", "last_seen_at"),
        {"contact": "contacts"},
        (),
    ),
    (
        "stored_mails",
        StoredMail,
        ("message_id", "subject", "from_address", "sent_at", "text_body", "html_body", "raw", "truncated"),
        {"touch": "touches"},
        ("created_at",),
    ),
    (
        "capture_offers",
        CaptureOffer,
        ("kind", "status", "source", "at", "scheduled_for", "subject", "body", "external_key", "decided_at"),
        {"conversation": "conversations"},
        ("created_at",),
    ),
    # The question bank (#14). A backup from before has none: the starter questions stay.
    ("questions", Question, (*QUESTION_FIELDS, "position"), {}, ("created_at",)),
)
DATA_SECTIONS = tuple(section for section, *_ in SECTIONS)


def _json(value):
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


# --- building ----------------------------------------------------------------------------


def backup_build(user) -> dict:
    """Everything the user owns, as JSON-ready data (every query filtered by owner)."""
    profile = Profile.objects.get(user=user)
    data = {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": timezone.now().isoformat(),
        "account": {
            "username": user.get_username(),
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
        },
        "profile": {name: getattr(profile, name) for name in Profile.SETTINGS},
    }
    for section, model, fields, links, stamps in SECTIONS:
        rows = []
        queryset = model.objects.filter(owner=user).order_by("id")
        if model is Contact:
            queryset = queryset.prefetch_related("tags")
        if model is Conversation:
            queryset = queryset.prefetch_related("stage_changes")
        if model is Touch:
            queryset = queryset.prefetch_related("contacts")
        for obj in queryset.iterator(chunk_size=2000):
            row = {"id": obj.pk}
            row.update({name: _json(getattr(obj, name)) for name in fields})
            row.update({name: getattr(obj, f"{name}_id") for name in links})
            row.update({name: _json(getattr(obj, name)) for name in stamps})
            if model is Contact:
                row["referred_by"] = obj.referred_by_id
                row["tags"] = sorted(tag.pk for tag in obj.tags.all())
            if model is Touch:
                row["contacts"] = sorted(contact.pk for contact in obj.contacts.all())
            if model is Conversation:
                row["stage_history"] = [
                    {
                        "from_stage": change.from_stage,
                        "stage": change.stage,
                        "at": _json(change.at),
                        "recorded_at": _json(change.recorded_at),
                    }
                    for change in sorted(obj.stage_changes.all(), key=lambda c: c.pk)
                ]
            rows.append(row)
        data[section] = rows
    return data


# --- restoring ---------------------------------------------------------------------------


def _starter_only(user) -> bool:
    starter = {(t["name"], t["kind"], t["subject"], t["body"]) for t in STARTER_TEMPLATES}
    mine = MessageTemplate.objects.filter(owner=user).values_list("name", "kind", "subject", "body")
    return all(tuple(row) in starter for row in mine)


def _starter_questions_only(user) -> bool:
    starter = {(kind, category, text) for kind, category, text in STARTER_QUESTIONS}
    mine = Question.objects.filter(owner=user).values_list("kind", "category", "text")
    return all(tuple(row) in starter for row in mine)


def account_is_empty(user) -> bool:
    """No data of the user's own yet; untouched starter templates and questions do not count."""
    for section, model, *_ in SECTIONS:
        if model in (MessageTemplate, Question):
            continue
        if model.objects.filter(owner=user).exists():
            return False
    return _starter_only(user) and _starter_questions_only(user)


def _parse(model, name: str, value):
    field = model._meta.get_field(name)
    if value is None:
        return None
    if isinstance(value, str) and "\x00" in value:
        # PostgreSQL cannot store NUL in text; the API and the imports refuse it too.
        raise ValueError("contains a NUL character")
    internal = field.get_internal_type()
    if internal == "BinaryField":
        if not isinstance(value, str):
            raise ValueError("is not base64 text")
        return base64.b64decode(value, validate=True)  # binascii.Error is a ValueError
    if internal == "DateTimeField":
        parsed = parse_datetime(value) if isinstance(value, str) else None
        if parsed is None or timezone.is_naive(parsed):
            raise ValueError(f"“{shown(value)}” is not a date-time with an offset")
        if not in_supported_range(parsed):
            raise ValueError(f"“{shown(value)}” is not between the years {EARLIEST_YEAR} and {LATEST_YEAR}")
        return parsed
    if internal == "DateField":
        parsed = parse_date(value) if isinstance(value, str) else None
        if parsed is None:
            raise ValueError(f"“{shown(value)}” is not a date")
        return parsed
    return value


@transaction.atomic
def backup_restore(*, user, data) -> dict:
    """Write a backup into the user's empty account; returns how many rows of each kind.

    Refuses (ApplicationError, a conflict) an account that already has data, and a document
    that is not a Coffeechat backup or does not hold together. All or nothing.
    """
    _check_format(data)
    Profile.objects.select_for_update().get(user=user)  # one restore at a time per account
    if not account_is_empty(user):
        raise ApplicationError(
            "This account already has data. A backup can only be restored into an empty account: "
            "sign up for a new account and restore there.",
            code=ApplicationError.CONFLICT,
        )
    MessageTemplate.objects.filter(owner=user).delete()
    if "questions" in data:
        Question.objects.filter(owner=user).delete()
    try:
        counts = _restore_sections(user, data)
    except ValidationError as exc:
        raise ApplicationError(f"The backup does not hold together: {'; '.join(exc.messages)}") from None
    except (IntegrityError, DataError) as exc:
        # What the checks below did not foresee, refused by the database; nothing is kept.
        raise ApplicationError(f"The backup does not hold together: {shown(exc, limit=200)}".splitlines()[0]) from None
    except (KeyError, TypeError, ValueError, OverflowError) as exc:
        raise ApplicationError(f"The backup is malformed: {shown(exc, limit=200)}") from None
    transaction.on_commit(lambda: _plan_reminders(user.pk))
    return counts


def _check_format(data) -> None:
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ApplicationError('This is not a Coffeechat backup (expected "format": "coffeechat-backup").')
    if data.get("version") != VERSION:
        raise ApplicationError(
            f"Backup version {shown(repr(data.get('version')))} is not supported (expected {VERSION})."
        )
    found = lone_surrogate(data)
    if found is not None:
        # Text UTF-8 cannot encode (a "\ud800" escape of a file's JSON): no database stores it.
        path, character = found
        raise ApplicationError(f"{path_text(path)}: {surrogate_message(character)}")


def _restore_sections(user, data: dict) -> dict:
    """The profile, then every section in order (later ones link to earlier ones by old id)."""
    _restore_profile(user, data.get("profile") or {})
    ids: dict[str, dict[int, object]] = {}
    counts = {}
    for section, model, fields, links, stamps in SECTIONS:
        rows = data.get(section) or []
        if not isinstance(rows, list):
            raise ApplicationError(f"“{section}” must be a list.")
        ids[section] = {}
        created = [
            (row, _build(user, model, row, fields, links, ids, f"{section}[{index}]")) for index, row in enumerate(rows)
        ]
        model.objects.bulk_create([obj for _, obj in created], batch_size=1000)
        for row, obj in created:
            ids[section][row["id"]] = obj
        _keep_timestamps(model, created, stamps, section)
        if model is Contact:
            _link_contacts(created, ids)
        if model is Conversation:
            _restore_history(user, created)
        if model is Touch:
            _link_touches(created, ids)
        counts[section] = len(created)
    return counts


def _restore_profile(user, values: dict) -> None:
    profile = Profile.objects.get(user=user)
    try:
        model_update(
            instance=profile,
            fields=Profile.SETTINGS,
            data={name: values[name] for name in Profile.SETTINGS if name in values},
        )
    except ValidationError as exc:
        raise ApplicationError(f"profile: {'; '.join(exc.messages)}") from None


def _target(rows: dict, ref):
    """The restored row a link of the document points at; None for an id no row has."""
    return rows.get(ref) if isinstance(ref, int | str) else None


def _build(user, model, row, fields, links, ids, where):
    if not isinstance(row, dict) or not isinstance(row.get("id"), int | str):
        raise ApplicationError(f"{where}: each row needs an “id”.")
    values = {}
    for name in fields:
        if name in row:
            try:
                values[name] = _parse(model, name, row[name])
            except ValueError as exc:
                raise ApplicationError(f"{where}.{name}: {exc}.") from None
    obj = model(owner=user, **values)
    for name, section in links.items():
        ref = row.get(name)
        if ref is None:
            continue
        target = _target(ids.get(section, {}), ref)
        if target is None:
            raise ApplicationError(f"{where}.{name}: no {section} row with id {shown(ref)}.")
        setattr(obj, name, target)
    try:
        obj.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        raise ApplicationError(f"{where}: {'; '.join(exc.messages)}") from None
    except OverflowError:  # a JSON number like 1e400 reads as infinity, which no integer field takes
        raise ApplicationError(f"{where}: a number is out of range.") from None
    return obj


def _keep_timestamps(model, created, stamps, section: str) -> None:
    """auto_now(_add) fields were stamped "now" on insert; put the original moments back."""
    objects = []
    for index, (row, obj) in enumerate(created):
        for name in stamps:
            if row.get(name):
                try:
                    setattr(obj, name, _parse(model, name, row[name]))
                except ValueError as exc:
                    raise ApplicationError(f"{section}[{index}].{name}: {exc}.") from None
        objects.append(obj)
    if stamps and objects:
        model.objects.bulk_update(objects, list(stamps), batch_size=1000)


def _link_contacts(created, ids) -> None:
    referred = []
    links = []
    through = Contact.tags.through
    for row, contact in created:
        where = f"contacts id {shown(row['id'])}"
        ref = row.get("referred_by")
        if ref is not None:
            target = _target(ids["contacts"], ref)
            if target is None:
                raise ApplicationError(f"{where}: referred_by {shown(ref)} is not in the backup.")
            if target is contact:
                # Contact.clean refuses this everywhere else; the link is set here, after the rows exist.
                raise ApplicationError(
                    f"{where}: referred_by is the contact itself; a contact cannot refer themselves."
                )
            contact.referred_by = target
            referred.append(contact)
        tag_refs = row.get("tags") or []
        if not isinstance(tag_refs, list):
            raise ApplicationError(f"{where}: “tags” must be a list of tag ids.")
        for tag_ref in tag_refs:
            tag = _target(ids["tags"], tag_ref)
            if tag is None:
                raise ApplicationError(f"{where}: tag {shown(tag_ref)} is not in the backup.")
            links.append(through(contact_id=contact.pk, tag_id=tag.pk))
    if referred:
        Contact.objects.bulk_update(referred, ["referred_by"], batch_size=1000)
    through.objects.bulk_create(links, batch_size=1000)


def _link_touches(created, ids) -> None:
    """Each touch's contacts (at least one, all in the backup); the contacts' last-contact dates
    come from their own rows, so linking moves nothing."""
    through = Touch.contacts.through
    links = []
    for row, touch in created:
        where = f"touches id {shown(row['id'])}"
        refs = row.get("contacts")
        if not isinstance(refs, list) or not refs:
            raise ApplicationError(f"{where}: “contacts” must be a list of one or more contact ids.")
        linked = set()
        for ref in refs:
            contact = _target(ids["contacts"], ref)
            if contact is None:
                raise ApplicationError(f"{where}: contact {shown(ref)} is not in the backup.")
            if contact.pk not in linked:
                linked.add(contact.pk)
                links.append(through(touch_id=touch.pk, contact_id=contact.pk))
    through.objects.bulk_create(links, batch_size=1000)


def _restore_history(user, created) -> None:
    changes = []
    moments = []
    for row, conversation in created:
        where = f"conversations id {shown(row['id'])}"
        history = row.get("stage_history") or []
        if not isinstance(history, list) or not all(isinstance(entry, dict) for entry in history):
            raise ApplicationError(f"{where}: “stage_history” must be a list of objects.")
        for index, entry in enumerate(history):
            change, recorded_at = _history_entry(user, conversation, entry, f"{where}: stage_history[{index}]")
            changes.append(change)
            moments.append(recorded_at)
    StageChange.objects.bulk_create(changes, batch_size=1000)
    # recorded_at is auto_now_add: restore the original moments.
    for change, moment in zip(changes, moments):
        change.recorded_at = moment
    StageChange.objects.bulk_update(changes, ["recorded_at"], batch_size=1000)


def _history_entry(user, conversation, entry: dict, where: str) -> tuple[StageChange, datetime]:
    """One stage-history entry, checked like every other row before anything is written: its
    stages are stages, its moments date-times in range, and the model's own validation passes."""
    # The first entry starts from nothing: from_stage "" (or absent).
    stages = {"stage": entry.get("stage"), "from_stage": entry.get("from_stage") or ""}
    for name, allowed in (("stage", Stage.values), ("from_stage", ["", *Stage.values])):
        if not isinstance(stages[name], str) or stages[name] not in allowed:
            choices = ", ".join(Stage.values)
            raise ApplicationError(f"{where}.{name}: “{shown(stages[name])}” is not a stage (one of {choices}).")
    moments = {}
    for name, value in (("at", entry.get("at")), ("recorded_at", entry.get("recorded_at") or entry.get("at"))):
        try:
            moments[name] = _parse(StageChange, name, value)
        except ValueError as exc:
            raise ApplicationError(f"{where}.{name}: {exc}.") from None
        if moments[name] is None:
            raise ApplicationError(f"{where}.{name}: a stage change needs the date-time it took effect.")
    change = StageChange(owner=user, conversation=conversation, at=moments["at"], **stages)
    try:
        # The conversation is the one just restored; checking it would cost a query per entry.
        change.full_clean(exclude=["owner", "conversation"], validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        raise ApplicationError(f"{where}: {'; '.join(exc.messages)}") from None
    return change, moments["recorded_at"]


def _plan_reminders(user_id: int) -> None:
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.select_related("profile").get(pk=user_id)
    with transaction.atomic():
        reminders.profile_changed(user)


def _refuse_constant(name: str):
    # NaN and Infinity are not JSON (the API's parser refuses them too); no field can hold them.
    raise ValueError(f"{name} is not JSON")


def backup_read(upload) -> object:
    """The parsed document of an uploaded backup.json (API and Settings page alike);
    ApplicationError when there is no file, it is over IMPORT_MAX_BYTES, or it is not JSON."""
    from django.conf import settings

    if upload is None:
        raise ApplicationError("Choose the backup.json file to restore.", field="file")
    if upload.size > settings.IMPORT_MAX_BYTES:
        limit = settings.IMPORT_MAX_BYTES / 1_048_576
        raise ApplicationError(f"The file is larger than the {limit:.1f} MB limit.", code=ApplicationError.TOO_LARGE)
    try:
        return json.load(upload.file, parse_constant=_refuse_constant)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise ApplicationError("The file is not JSON: upload the backup.json Coffeechat exported.") from None
