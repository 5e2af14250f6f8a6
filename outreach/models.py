"""The pipeline: conversations and their stage history, follow-ups, templates, reminders."""

import re

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from accounts.models import OwnedModel, enum_check
from contacts.models import Contact

from .pipeline import Stage


class ConversationKind(models.TextChoices):
    COFFEE_CHAT = "coffee_chat"
    INFORMATIONAL_INTERVIEW = "informational_interview"
    CASE_STUDY_FEEDBACK = "case_study_feedback"
    REFERRAL_REQUEST = "referral_request"
    INTRO_REQUEST = "intro_request", "Ask for an intro"  # issue #14: warm intros to a target


class TemplateKind(models.TextChoices):
    COFFEE_CHAT = "coffee_chat"
    INFORMATIONAL_INTERVIEW = "informational_interview"
    CASE_STUDY_FEEDBACK = "case_study_feedback"
    REFERRAL_REQUEST = "referral_request"
    INTRO_REQUEST = "intro_request", "Ask for an intro"  # issue #14
    THANK_YOU = "thank_you"
    NUDGE = "nudge"
    RECONNECT = "reconnect"


class MessageTemplate(OwnedModel):
    Kind = TemplateKind
    PLACEHOLDERS = ("first_name", "last_name", "company", "title", "how_we_met", "my_name")
    ONE_LINE_FIELDS = ("name",)

    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=32, choices=Kind.choices)
    subject = models.CharField(max_length=200, blank=True)
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(Lower("name"), "owner", name="template_unique_name_per_owner"),
            enum_check("kind", TemplateKind, "template_kind_valid"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        errors = placeholder_errors(subject=self.subject, body=self.body)
        if errors:
            raise ValidationError(errors)


_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


def _name_and_fallback(inside: str) -> tuple[str, str | None]:
    """`company|your team` -> ("company", "your team"); `company` -> ("company", None)."""
    name, bar, fallback = inside.partition("|")
    return name.strip(), (fallback if bar else None)


def unknown_placeholders(text: str) -> list[str]:
    names = {_name_and_fallback(inside)[0] for inside in _PLACEHOLDER.findall(text or "")}
    return sorted(name for name in names if name not in MessageTemplate.PLACEHOLDERS)


def placeholder_errors(**texts: str) -> dict[str, str]:
    """{field: message} for each text that uses a placeholder Coffeechat does not fill in:
    the one wording for saving a template (the model's clean) and rendering one (the API)."""
    allowed = ", ".join("{%s}" % name for name in MessageTemplate.PLACEHOLDERS)
    return {
        field: f"Unknown placeholder {', '.join('{%s}' % name for name in unknown)}. Allowed: {allowed} "
        "(each may give a fallback for an empty field: {company|your team})."
        for field, text in texts.items()
        if (unknown := unknown_placeholders(text))
    }


def render_placeholders(text: str, values: dict[str, str], empty: set[str] | None = None) -> str:
    """Plain substitution of the known placeholders; nothing in user text is ever evaluated.

    `{name|fallback}` gives the fallback when the value is empty. The names that still render
    empty (no fallback, or an empty one) are added to `empty` when it is given.
    """

    def substitute(match: re.Match) -> str:
        name, fallback = _name_and_fallback(match.group(1))
        if name not in values:
            return match.group(0)
        value = (values[name] or "").strip() or (fallback or "").strip()
        if not value and empty is not None:
            empty.add(name)
        return value

    return _PLACEHOLDER.sub(substitute, text or "")


class Question(OwnedModel):
    """One question of the user's question bank (#14): good questions for one kind of
    conversation, in the user's order. "Build agenda" copies some into a conversation's agenda."""

    Kind = ConversationKind
    ONE_LINE_FIELDS = ("text", "category")
    MAX_LENGTH = 300

    kind = models.CharField(max_length=32, choices=ConversationKind.choices)
    # A free label that groups questions of a kind (TIARA: trends, insights, advice, ...);
    # the default agenda takes one question per category before a second of any.
    category = models.CharField(max_length=40, blank=True)
    text = models.CharField(max_length=MAX_LENGTH)
    # Order within the kind: lower first (the page's "move up/down" swaps neighbours).
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    CONSTRAINT_FIELDS = {"duplicate_question": "text"}

    class Meta:
        ordering = ["kind", "position", "id"]
        constraints = [
            enum_check("kind", ConversationKind, "question_kind_valid"),
            models.CheckConstraint(condition=~models.Q(text=""), name="question_text_not_empty"),
            models.UniqueConstraint(
                "owner",
                "kind",
                Lower("text"),
                name="question_unique_text_per_kind",
                violation_error_code="duplicate_question",
                violation_error_message="You already have this question for this kind of conversation.",
            ),
        ]
        indexes = [models.Index(fields=["owner", "kind", "position", "id"], name="question_owner_kind_idx")]

    def __str__(self):
        return self.text


AGENDA_BULLET = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")


def agenda_items(agenda: str) -> list[str]:
    """A conversation's agenda as a list of questions: one per non-blank line, its Markdown list
    marker ("- ", "* ", "1. ") dropped. The prep page and the prep e-mail show it this way."""
    return [AGENDA_BULLET.sub("", line).strip() for line in (agenda or "").splitlines() if line.strip()]


# Proof of PM work that a case-study feedback ask is about. It lives beside the pipeline,
# like the template (how you ask): the conversation points at what it asks about.
class PortfolioKind(models.TextChoices):
    CASE_STUDY = "case_study"
    PROTOTYPE = "prototype"
    FEATURE_PROPOSAL = "feature_proposal"
    REDESIGN = "redesign"
    COURSE = "course"
    CERTIFICATION = "certification"


class PortfolioStatus(models.TextChoices):
    IDEA = "idea"
    DRAFTING = "drafting"
    READY = "ready"
    SHARED = "shared"


class PortfolioItem(OwnedModel):
    Kind = PortfolioKind
    Status = PortfolioStatus

    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=32, choices=Kind.choices)
    url = models.URLField(blank=True)
    summary = models.TextField(blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.IDEA)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            enum_check("kind", PortfolioKind, "portfolio_kind_valid"),
            enum_check("status", PortfolioStatus, "portfolio_status_valid"),
        ]

    def __str__(self):
        return self.title


class Channel(models.TextChoices):
    LINKEDIN = "linkedin", "LinkedIn"
    EMAIL = "email"
    SLACK = "slack"
    IN_PERSON = "in_person"
    PHONE = "phone"
    VIDEO = "video"
    OTHER = "other"


class Conversation(OwnedModel):
    Channel = Channel
    Kind = ConversationKind
    Stage = Stage

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="conversations")
    kind = models.CharField(max_length=32, choices=ConversationKind.choices)
    channel = models.CharField(max_length=16, choices=Channel.choices, default=Channel.LINKEDIN)
    # Written only by outreach.services.conversation_transition.
    stage = models.CharField(max_length=16, choices=Stage.choices, default=Stage.PLANNED, editable=False)
    template = models.ForeignKey(
        MessageTemplate, null=True, blank=True, on_delete=models.SET_NULL, related_name="conversations"
    )
    portfolio_item = models.ForeignKey(
        PortfolioItem,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="conversations",
    )
    requested_at = models.DateTimeField(null=True, blank=True, editable=False)
    scheduled_for = models.DateTimeField(null=True, blank=True, editable=False)
    held_at = models.DateTimeField(null=True, blank=True, editable=False)
    duration_minutes = models.PositiveIntegerField(default=30)
    location = models.CharField(max_length=500, blank=True)
    agenda = models.TextField(blank=True)
    outcome = models.TextField(blank=True)
    # What was actually sent: it starts from the template and stays the user's to edit.
    message_subject = models.CharField(max_length=200, blank=True)
    message_body = models.TextField(blank=True, max_length=20_000)
    message_sent_at = models.DateTimeField(null=True, blank=True)
    # When the contact answered the request (set by the user or by capture).
    replied_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The chat's iCalendar SEQUENCE: calendar apps apply an update only when it grows, so it
    # goes up with every change a calendar shows (CALENDAR_FIELDS, a reschedule, a cancel).
    calendar_sequence = models.PositiveIntegerField(default=0, editable=False)

    # What the chat's calendar event shows, besides its time and status.
    CALENDAR_FIELDS = ("kind", "duration_minutes", "location", "agenda")

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            enum_check("stage", Stage, "conversation_stage_valid"),
            enum_check("kind", ConversationKind, "conversation_kind_valid"),
            enum_check("channel", Channel, "conversation_channel_valid"),
            models.CheckConstraint(
                condition=models.Q(duration_minutes__gte=1, duration_minutes__lte=24 * 60),
                name="conversation_duration_range",
            ),
            models.CheckConstraint(
                condition=~models.Q(stage="scheduled") | models.Q(scheduled_for__isnull=False),
                name="conversation_scheduled_has_time",
            ),
        ]
        indexes = [
            models.Index(fields=["owner", "stage"]),
            models.Index(fields=["owner", "-created_at", "-id"], name="conversation_owner_list_idx"),
            models.Index(fields=["owner", "scheduled_for"]),
            models.Index(fields=["owner", "requested_at"]),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} with {self.contact}"

    def clean(self):
        self.check_same_owner("contact", "template", "portfolio_item")

    @property
    def answered(self) -> bool:
        """The contact replied to the latest request (a reply to an earlier round does not count)."""
        replied, requested = self.replied_at, self.requested_at
        return replied is not None and (requested is None or replied >= requested)


class StageChange(OwnedModel):
    """One entry of a conversation's stage history; `at` is when the move took effect."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.CharField(max_length=16, choices=Stage.choices, blank=True)
    stage = models.CharField(max_length=16, choices=Stage.choices)
    at = models.DateTimeField()
    # When the move was recorded (`at` may be back-dated by the user).
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]
        constraints = [enum_check("stage", Stage, "stage_change_stage_valid")]
        indexes = [models.Index(fields=["owner", "stage", "at"])]

    def __str__(self):
        return f"{self.conversation_id}: {self.from_stage or '∅'} → {self.stage}"


class FollowUpKind(models.TextChoices):
    NUDGE = "nudge"
    THANK_YOU = "thank_you"
    SEND_MATERIAL = "send_material"
    RECONNECT = "reconnect"
    APPLY = "apply"
    OTHER = "other"


class FollowUpStatus(models.TextChoices):
    OPEN = "open"
    DONE = "done"
    CANCELLED = "cancelled"


class FollowUp(OwnedModel):
    Kind = FollowUpKind
    Status = FollowUpStatus

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="follow_ups")
    conversation = models.ForeignKey(
        Conversation, null=True, blank=True, on_delete=models.CASCADE, related_name="follow_ups"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.OTHER)
    title = models.CharField(max_length=200)
    due_at = models.DateTimeField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN, editable=False)
    completed_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_at", "id"]
        constraints = [
            enum_check("kind", FollowUpKind, "follow_up_kind_valid"),
            enum_check("status", FollowUpStatus, "follow_up_status_valid"),
            models.CheckConstraint(
                condition=~models.Q(status="done") | models.Q(completed_at__isnull=False),
                name="follow_up_done_has_completed_at",
            ),
        ]
        indexes = [
            models.Index(fields=["owner", "status", "due_at"]),
            models.Index(fields=["owner", "due_at", "id"], name="follow_up_owner_list_idx"),
            models.Index(fields=["contact", "kind", "status"]),
        ]

    def __str__(self):
        return self.title

    @property
    def is_overdue(self) -> bool:
        """Open and already past due: marked the same way on Today, the list and a contact page."""
        return self.status == self.Status.OPEN and self.due_at < timezone.now()

    def clean(self):
        self.check_same_owner("contact", "conversation")
        if self.conversation_id and self.contact_id and self.conversation.contact_id != self.contact_id:
            raise ValidationError({"conversation": "This conversation is with another contact."})


class TouchChannel(models.TextChoices):
    LINKEDIN = "linkedin", "LinkedIn"
    EMAIL = "email", "E-mail"
    SLACK = "slack"
    COMMENT = "comment"
    CALL = "call"
    EVENT = "event"
    IN_PERSON = "in_person", "In person"
    OTHER = "other"


class Touch(OwnedModel):
    """A contact made outside an ask: a DM, a thread, a call, an event with several people."""

    Channel = TouchChannel

    contacts = models.ManyToManyField(Contact, related_name="touches")
    channel = models.CharField(max_length=16, choices=TouchChannel.choices, default=TouchChannel.OTHER)
    at = models.DateTimeField()
    summary = models.TextField(blank=True, max_length=20_000)
    # Set by capture (a LinkedIn message id, a mail's Message-ID) so a re-import creates nothing.
    external_key = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]
        constraints = [
            enum_check("channel", TouchChannel, "touch_channel_valid"),
            models.UniqueConstraint(
                "owner", "external_key", condition=~models.Q(external_key=""), name="touch_unique_external_key"
            ),
        ]
        indexes = [models.Index(fields=["owner", "-at"])]

    def __str__(self):
        return f"{self.get_channel_display()} on {self.at:%Y-%m-%d}"


class ReminderKind(models.TextChoices):
    FOLLOW_UP_DUE = "follow_up_due"
    CHAT_PREP = "chat_prep"
    CHAT_SOON = "chat_soon"
    DAILY_DIGEST = "daily_digest"
    WEEKLY_REVIEW = "weekly_review"  # Mondays at the digest hour (issue #14)


class ReminderStatus(models.TextChoices):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"
    CANCELLED = "cancelled"


class Reminder(OwnedModel):
    """One email to send. The row, not a queued task, is the source of truth."""

    Kind = ReminderKind
    Status = ReminderStatus

    kind = models.CharField(max_length=16, choices=Kind.choices)
    send_at = models.DateTimeField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # When a sweep handed the row to a send task; a stale claim is taken again.
    claimed_at = models.DateTimeField(null=True, blank=True)
    # Unique per email that should exist: e.g. chat_prep:<conversation>:<start>. Message-ID derives from it.
    dedupe_key = models.CharField(max_length=200, unique=True)
    follow_up = models.ForeignKey(FollowUp, null=True, blank=True, on_delete=models.CASCADE, related_name="reminders")
    conversation = models.ForeignKey(
        Conversation, null=True, blank=True, on_delete=models.CASCADE, related_name="reminders"
    )
    # The user's local day a digest covers (for a weekly review: the Monday it is sent).
    local_date = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-send_at", "-id"]
        constraints = [
            enum_check("kind", ReminderKind, "reminder_kind_valid"),
            enum_check("status", ReminderStatus, "reminder_status_valid"),
            models.CheckConstraint(
                condition=~models.Q(status="sent") | models.Q(sent_at__isnull=False),
                name="reminder_sent_has_sent_at",
            ),
        ]
        indexes = [
            # The sweep's claim: pending rows in send order. Partial, so it stays the size of
            # what is pending however many sent rows pile up (#12).
            models.Index(
                fields=["send_at", "id"], name="reminder_pending_send_idx", condition=models.Q(status="pending")
            ),
            # Digest planning: who already has a pending digest (#12).
            models.Index(
                fields=["owner"],
                name="reminder_pending_digest_idx",
                condition=models.Q(kind="daily_digest", status="pending"),
            ),
            # Weekly review planning: the same question for the Monday review (#14).
            models.Index(
                fields=["owner"],
                name="reminder_pending_review_idx",
                condition=models.Q(kind="weekly_review", status="pending"),
            ),
            models.Index(fields=["owner", "-send_at"]),
            # Today's "could not be sent" list and the dashboard's count (#12).
            models.Index(fields=["owner", "-send_at"], name="reminder_failed_idx", condition=models.Q(status="failed")),
        ]

    def __str__(self):
        return self.dedupe_key

    @property
    def message_id(self) -> str:
        from urllib.parse import urlsplit

        from django.conf import settings

        domain = urlsplit(settings.SITE_URL).hostname or "coffeechat.local"
        safe_key = re.sub(r"[^A-Za-z0-9.\-]", ".", self.dedupe_key)
        return f"<reminder.{safe_key}@{domain}>"


# --- capture (issue #13): what LinkedIn's messages.csv and the mail-in address found ------------


class OfferKind(models.TextChoices):
    SENT = "sent", "Looks sent"
    SCHEDULE = "schedule", "Invitation"


class OfferStatus(models.TextChoices):
    OPEN = "open"
    ACCEPTED = "accepted"
    DISMISSED = "dismissed"


class CaptureOffer(OwnedModel):
    """A stage change that a captured message is evidence of, offered on Today and applied only
    when the user accepts it: a planned ask that "looks sent", or an invitation to schedule."""

    Kind = OfferKind
    Status = OfferStatus

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="capture_offers")
    kind = models.CharField(max_length=16, choices=OfferKind.choices)
    status = models.CharField(max_length=16, choices=OfferStatus.choices, default=OfferStatus.OPEN)
    source = models.CharField(max_length=16, choices=TouchChannel.choices)
    # When the message was sent; for an invitation, the chat's proposed start is `scheduled_for`.
    at = models.DateTimeField()
    scheduled_for = models.DateTimeField(null=True, blank=True)
    subject = models.CharField(max_length=200, blank=True)
    body = models.TextField(blank=True, max_length=20_000)
    # The captured message's key: the same message offers once, however often it is imported.
    external_key = models.CharField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        constraints = [
            enum_check("kind", OfferKind, "capture_offer_kind_valid"),
            enum_check("status", OfferStatus, "capture_offer_status_valid"),
            enum_check("source", TouchChannel, "capture_offer_source_valid"),
            models.UniqueConstraint("owner", "external_key", name="capture_offer_unique_key"),
            models.CheckConstraint(
                condition=~models.Q(kind="schedule") | models.Q(scheduled_for__isnull=False),
                name="capture_offer_invitation_has_time",
            ),
        ]
        indexes = [models.Index(fields=["owner", "status"])]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.conversation_id}"

    def clean(self):
        self.check_same_owner("conversation")


class CorrespondentStatus(models.TextChoices):
    NEW = "new"
    IGNORED = "ignored"
    ADDED = "added"


class Correspondent(OwnedModel):
    """Someone the user exchanged messages with who is not a contact: the "New people" list.
    Ignoring one is remembered, so a later import or mail does not list them again."""

    Status = CorrespondentStatus
    ONE_LINE_FIELDS = ("name",)

    name = models.CharField(max_length=200, blank=True)
    email = models.CharField(max_length=254, blank=True)  # lower-cased
    linkedin_url = models.CharField(max_length=200, blank=True)  # normalised
    source = models.CharField(max_length=16, choices=TouchChannel.choices)
    status = models.CharField(max_length=16, choices=CorrespondentStatus.choices, default=CorrespondentStatus.NEW)
    contact = models.ForeignKey(Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    first_seen_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()

    class Meta:
        ordering = ["-last_seen_at", "-id"]
        constraints = [
            enum_check("status", CorrespondentStatus, "correspondent_status_valid"),
            enum_check("source", TouchChannel, "correspondent_source_valid"),
            models.UniqueConstraint("owner", "email", condition=~models.Q(email=""), name="correspondent_unique_email"),
            models.UniqueConstraint(
                "owner", "linkedin_url", condition=~models.Q(linkedin_url=""), name="correspondent_unique_linkedin"
            ),
            models.CheckConstraint(condition=~models.Q(email="", linkedin_url=""), name="correspondent_has_address"),
        ]
        indexes = [models.Index(fields=["owner", "status", "-last_seen_at"])]

    def __str__(self):
        return self.name or self.email or self.linkedin_url


class StoredMail(OwnedModel):
    """A message received at the mail-in address or uploaded as .eml, kept (size-capped) so the
    timeline can show the original. Its HTML is sanitised when shown, never stored as trusted."""

    message_id = models.CharField(max_length=300)
    subject = models.CharField(max_length=300, blank=True)
    from_address = models.CharField(max_length=320, blank=True)
    sent_at = models.DateTimeField()
    text_body = models.TextField(blank=True)
    html_body = models.TextField(blank=True)
    # The original bytes, cut at MAIL_IN_KEEP_BYTES (`truncated` then says so).
    raw = models.BinaryField(editable=False)
    truncated = models.BooleanField(default=False)
    touch = models.ForeignKey(Touch, null=True, blank=True, on_delete=models.SET_NULL, related_name="mails")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-sent_at", "-id"]
        constraints = [models.UniqueConstraint("owner", "message_id", name="stored_mail_unique_message_id")]

    def __str__(self):
        return self.subject or self.message_id
