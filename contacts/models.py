"""People the user networks with, the companies they work at, and the user's tags."""

import unicodedata
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils import timezone

from accounts.localtime import days_later_at_digest_hour
from accounts.models import OwnedModel, enum_check
from accounts.text import one_line


def text_key(value: str) -> str:
    """How names are matched, the same on every database: Unicode NFKC and case folding
    (so "Zoë Ltd", "ZOË LTD" and "Zoe\u0308 Ltd" are one key) of the name as stored (one_line)."""
    folded = unicodedata.normalize("NFKC", one_line(value)).casefold()
    return unicodedata.normalize("NFKC", folded)


class NamedByKey(OwnedModel):
    """A row the owner names once: `name_key` (text_key of the name) is unique per owner.

    The key is written with the name by every path, bulk imports included (they set it
    themselves, since bulk_create skips save)."""

    name_key = models.CharField(max_length=600, editable=False, default="")
    ONE_LINE_FIELDS = ("name",)

    class Meta:
        abstract = True

    def clean(self):
        super().clean()
        self.name_key = text_key(self.name)  # before the unique constraint is checked

    def save(self, *args, **kwargs):
        self.name_key = text_key(self.name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "name" in update_fields and "name_key" not in update_fields:
            kwargs["update_fields"] = [*update_fields, "name_key"]
        super().save(*args, **kwargs)


LAMP_MAX = 3


class Company(NamedByKey):
    CONSTRAINT_FIELDS = {"duplicate_company": "name"}
    # What a user sets on a company; the API, the backup and the update service read it.
    EDITABLE_FIELDS = ("name", "website", "industry", "notes", "target", "motivation", "posting")

    name = models.CharField(max_length=200)
    website = models.URLField(blank=True)
    industry = models.CharField(max_length=100, blank=True)
    notes = models.TextField(blank=True)
    # LAMP (issue #14): a target employer, ranked by Motivation and Posting (0–3 each), then
    # by the alumni among the user's contacts there (computed, not stored).
    target = models.BooleanField(default=False)
    motivation = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(LAMP_MAX)])
    posting = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(LAMP_MAX)])
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "companies"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "name_key"],
                name="company_unique_name_key_per_owner",
                violation_error_code="duplicate_company",
                violation_error_message="You already have a company with this name.",
            ),
            models.CheckConstraint(condition=~models.Q(name=""), name="company_name_not_empty"),
            models.CheckConstraint(condition=models.Q(motivation__lte=LAMP_MAX), name="company_motivation_range"),
            models.CheckConstraint(condition=models.Q(posting__lte=LAMP_MAX), name="company_posting_range"),
        ]

    def __str__(self):
        return self.name


class Tag(NamedByKey):
    CONSTRAINT_FIELDS = {"duplicate_tag": "name"}

    name = models.CharField(max_length=50)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "name_key"],
                name="tag_unique_name_key_per_owner",
                violation_error_code="duplicate_tag",
                violation_error_message="You already have a tag with this name.",
            ),
            models.CheckConstraint(condition=~models.Q(name=""), name="tag_name_not_empty"),
        ]

    def __str__(self):
        return self.name


class Relationship(models.TextChoices):
    PRODUCT_MANAGER = "product_manager"
    DESIGNER = "designer"
    ENGINEER = "engineer"
    ANALYST = "analyst"
    RECRUITER = "recruiter"
    HIRING_MANAGER = "hiring_manager"
    INTERNAL_COLLEAGUE = "internal_colleague"
    ALUMNI = "alumni"
    OTHER = "other"


class Responsiveness(models.TextChoices):
    """How a contact answers asks (issue #14, after The 2-Hour Job Search); null until known."""

    BOOSTER = "booster"  # replied within 3 business days
    OBLIGATE = "obligate"  # replied, but later
    CURMUDGEON = "curmudgeon"  # declined, or never replied after the nudge


class Source(models.TextChoices):
    LINKEDIN = "linkedin", "LinkedIn"
    SLACK_COMMUNITY = "slack_community", "PM community Slack"
    INTERNAL = "internal"
    EVENT = "event"
    REFERRAL = "referral"
    COLD_EMAIL = "cold_email"
    OTHER = "other"


# A contact's data, declared once in the order every format lists it: the API, the backup,
# the CSV export and import, and the contact form all derive their field lists from it
# (adding a field means adding it here, and a migration).
CONTACT_FIELDS = (
    "first_name",
    "last_name",
    "email",
    "linkedin_url",
    "company",
    "title",
    "relationship",
    "source",
    "referred_by",
    "tags",
    "how_we_met",
    "connected_on",
    "reconnect_every_days",
    "last_contacted_at",
    "reconnect_due_at",
    "responsiveness",
    "archived",
)
# Kept by the services (a held chat, a note, a done follow-up touch the contact; an answered
# or given-up ask labels them, issue #14): shown, never set.
CONTACT_MAINTAINED_FIELDS = ("last_contacted_at", "reconnect_due_at", "responsiveness")


class Contact(OwnedModel):
    Relationship = Relationship
    Source = Source
    Responsiveness = Responsiveness
    CONSTRAINT_FIELDS = {"duplicate_linkedin_url": "linkedin_url"}
    ONE_LINE_FIELDS = ("first_name", "last_name", "title")
    FIELDS = CONTACT_FIELDS
    MAINTAINED_FIELDS = CONTACT_MAINTAINED_FIELDS
    # What a client (the API, the form, an import) may set; contacts.services.contact_update writes it.
    EDITABLE_FIELDS = tuple(name for name in CONTACT_FIELDS if name not in CONTACT_MAINTAINED_FIELDS)

    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100, blank=True)
    email = models.EmailField(blank=True)
    # Stored normalised (see contacts.linkedin.normalise_linkedin_url); "" when unknown.
    linkedin_url = models.URLField(max_length=300, blank=True)
    company = models.ForeignKey(Company, null=True, blank=True, on_delete=models.SET_NULL, related_name="contacts")
    title = models.CharField(max_length=200, blank=True)
    relationship = models.CharField(max_length=32, choices=Relationship.choices, default=Relationship.OTHER)
    source = models.CharField(max_length=32, choices=Source.choices, default=Source.OTHER)
    referred_by = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="referrals")
    tags = models.ManyToManyField(Tag, blank=True, related_name="contacts")
    how_we_met = models.TextField(blank=True)
    connected_on = models.DateField(null=True, blank=True)
    reconnect_every_days = models.PositiveIntegerField(null=True, blank=True)
    # Maintained by the services: a held chat, a note, a completed nudge/thank-you/reconnect.
    last_contacted_at = models.DateTimeField(null=True, blank=True, editable=False)
    # last_contacted_at (or creation) + reconnect_every_days, kept by the services so that
    # "reconnect due" is an indexed comparison rather than date arithmetic per database.
    reconnect_due_at = models.DateTimeField(null=True, blank=True, editable=False)
    archived = models.BooleanField(default=False)
    # Maintained by the outreach services from the contact's asks; null until one is answered or given up.
    responsiveness = models.CharField(
        max_length=16, choices=Responsiveness.choices, null=True, blank=True, editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["first_name", "last_name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "linkedin_url"],
                condition=~models.Q(linkedin_url=""),
                name="contact_unique_linkedin_per_owner",
                violation_error_code="duplicate_linkedin_url",
                violation_error_message="You already have a contact with this LinkedIn profile.",
            ),
            enum_check("relationship", Relationship, "contact_relationship_valid"),
            enum_check("source", Source, "contact_source_valid"),
            enum_check("responsiveness", Responsiveness, "contact_responsiveness_valid"),
            models.CheckConstraint(
                condition=models.Q(reconnect_every_days__isnull=True) | models.Q(reconnect_every_days__gte=1),
                name="contact_reconnect_every_days_positive",
            ),
            models.CheckConstraint(condition=~models.Q(first_name=""), name="contact_first_name_not_empty"),
        ]
        indexes = [
            models.Index(fields=["owner", "archived", "first_name"]),
            # The API's default order (#12).
            models.Index(fields=["owner", "first_name", "last_name", "id"], name="contact_owner_list_idx"),
            models.Index(fields=["owner", "email"]),
            models.Index(fields=["owner", "reconnect_due_at"]),
        ]

    def __str__(self):
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def reconnect_due(self, *, now: datetime | None = None) -> datetime | None:
        """The reconnect rule, stated once: last contact (or creation) + the cadence; None without one.

        The services store it in `reconnect_due_at`; outreach dates the reconnect follow-up by
        it. `now` stands in for the creation time of a contact not saved yet (an import's start).
        """
        if not self.reconnect_every_days:
            return None
        since = self.last_contacted_at or self.created_at or now or timezone.now()
        # That day at the owner's digest hour, in their time zone, like a date-only due date.
        return days_later_at_digest_hour(self.owner, since, self.reconnect_every_days)

    def clean(self):
        from contacts.linkedin import normalise_linkedin_url

        if self.linkedin_url:
            self.linkedin_url = normalise_linkedin_url(self.linkedin_url)
        if self.referred_by_id and self.referred_by_id == self.pk:
            raise ValidationError({"referred_by": "A contact cannot refer themselves."})
        self.check_same_owner("company", "referred_by")


class ContactEventKind(models.TextChoices):
    JOB_CHANGE = "job_change"


class ContactEvent(OwnedModel):
    """Things that happened to a contact outside the pipeline, shown on their timeline."""

    Kind = ContactEventKind

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=32, choices=Kind.choices)
    summary = models.CharField(max_length=300)
    previous_company = models.CharField(max_length=200, blank=True)
    previous_title = models.CharField(max_length=200, blank=True)
    new_company = models.CharField(max_length=200, blank=True)
    new_title = models.CharField(max_length=200, blank=True)
    # The user has seen it / acted on it; unacknowledged job changes surface on Today.
    acknowledged = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [enum_check("kind", ContactEventKind, "contact_event_kind_valid")]
        indexes = [models.Index(fields=["owner", "kind", "acknowledged", "-created_at"])]

    def __str__(self):
        return self.summary


class ImportKind(models.TextChoices):
    LINKEDIN = "linkedin", "LinkedIn"
    CSV = "csv"
    VCARD = "vcard"
    # LinkedIn's messages.csv: imported by outreach (issue #13), run by the same job machinery.
    MESSAGES = "messages", "LinkedIn messages"


class ImportStatus(models.TextChoices):
    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"
    # Stopped part-way (an error, or its worker died): the batches before are saved, and
    # importing the file again completes it without duplicates.
    PARTIAL = "partial"
    FAILED = "failed"


class ImportJob(OwnedModel):
    """A file import running in the background; the Import page and the API poll it for progress."""

    Kind = ImportKind
    Status = ImportStatus

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=16, choices=ImportKind.choices)
    status = models.CharField(max_length=16, choices=ImportStatus.choices, default=ImportStatus.PENDING)
    dry_run = models.BooleanField(default=False)
    filename = models.CharField(max_length=255, blank=True)
    # The uploaded bytes, kept in the database (so any worker can read them) until the job has run.
    content = models.BinaryField(null=True, blank=True, editable=False)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    # {created, updated, skipped, errors: [{row, message}]}: what is written so far, final once done.
    result = models.JSONField(null=True, blank=True)
    # Written by the running import after every batch; a running job silent for
    # IMPORT_JOB_STALL_SECONDS lost its worker and reads as `partial`.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            enum_check("kind", ImportKind, "import_job_kind_valid"),
            enum_check("status", ImportStatus, "import_job_status_valid"),
        ]
        indexes = [models.Index(fields=["owner", "-created_at"])]

    def __str__(self):
        return f"{self.kind} import {self.id} ({self.status})"

    @property
    def current_status(self) -> str:
        """The status to show: a running job whose worker stopped writing is `partial`."""
        if self.status == ImportStatus.RUNNING:
            last_sign = self.heartbeat_at or self.created_at
            if last_sign and timezone.now() - last_sign > timedelta(seconds=settings.IMPORT_JOB_STALL_SECONDS):
                return ImportStatus.PARTIAL
        return self.status

    @property
    def stopped_message(self) -> str:
        """What to tell the user about a partial job."""
        return self.error or (
            f"The import stopped after {self.processed_rows} of {self.total_rows} rows. The rows before that are "
            "saved; import the file again to complete it (nothing will be duplicated)."
        )

    @property
    def percent(self) -> int:
        if self.status == ImportStatus.DONE:
            return 100
        if not self.total_rows:
            return 0
        return min(99, int(100 * self.processed_rows / self.total_rows))
