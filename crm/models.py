"""What the user learns and aims for: notes, opportunities (and the playbook and metrics built on them)."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models

from accounts.models import OwnedModel, enum_check
from contacts.models import Company, Contact


class NoteKind(models.TextChoices):
    ADVICE = "advice"
    CHALLENGE = "challenge"
    OPPORTUNITY = "opportunity"
    GENERAL = "general"


# The longest note body, in characters: the model, the API and the form all refuse longer ones.
NOTE_BODY_MAX_LENGTH = 20_000
# Seconds a deleted note can still be brought back (the web's Undo, POST /notes/{id}/restore/).
NOTE_UNDO_SECONDS = 10


class LiveNoteManager(models.Manager):
    """Notes not deleted: the default manager (and so every `contact.notes`), so a deleted note
    waiting out its Undo window is shown, counted, mailed and exported nowhere."""

    def get_queryset(self):
        return super().get_queryset().filter(deleted_at__isnull=True)


class Note(OwnedModel):
    Kind = NoteKind
    BODY_MAX_LENGTH = NOTE_BODY_MAX_LENGTH

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="notes")
    conversation = models.ForeignKey(
        "outreach.Conversation", null=True, blank=True, on_delete=models.SET_NULL, related_name="notes"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.GENERAL)
    # Markdown; rendered through crm.markdown.render_markdown, which sanitises the HTML.
    body = models.TextField(validators=[MaxLengthValidator(NOTE_BODY_MAX_LENGTH)])
    created_at = models.DateTimeField(auto_now_add=True)
    # Set by crm.services.note_delete; the row is purged NOTE_UNDO_SECONDS later (crm.tasks).
    deleted_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = LiveNoteManager()
    # Deleted ones included: for the Undo, the purge and the admin.
    all_objects = models.Manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        # Related managers and cascades must see every row (Django uses the base manager for them).
        base_manager_name = "all_objects"
        constraints = [enum_check("kind", NoteKind, "note_kind_valid")]
        indexes = [
            models.Index(fields=["owner", "contact", "-created_at"]),
            models.Index(fields=["deleted_at"], condition=models.Q(deleted_at__isnull=False), name="note_deleted"),
        ]

    def __str__(self):
        return self.body[:60]

    def clean(self):
        self.check_same_owner("contact", "conversation")
        if self.conversation_id and self.contact_id and self.conversation.contact_id != self.contact_id:
            raise ValidationError({"conversation": "This conversation is with another contact."})


class OpportunityStatus(models.TextChoices):
    HEARD = "heard"
    APPLYING = "applying"
    APPLIED = "applied"
    INTERVIEWING = "interviewing"
    OFFER = "offer"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


_S = OpportunityStatus
# The one declaration of how an opportunity moves (issue #14): forward along heard → applying →
# applied → interviewing → offer (skipping `applying` when you apply at once), and from any open
# status to rejected or withdrawn. offer, rejected and withdrawn are final: no reopening (a new
# lead is a new row, so the board's history stays honest). crm.services enforces it: a PATCH or a
# board button that breaks it is a 400 naming the legal moves; staying put is a no-op.
OPPORTUNITY_MOVES: dict[str, tuple[str, ...]] = {
    _S.HEARD: (_S.APPLYING, _S.APPLIED, _S.REJECTED, _S.WITHDRAWN),
    _S.APPLYING: (_S.APPLIED, _S.REJECTED, _S.WITHDRAWN),
    _S.APPLIED: (_S.INTERVIEWING, _S.REJECTED, _S.WITHDRAWN),
    _S.INTERVIEWING: (_S.OFFER, _S.REJECTED, _S.WITHDRAWN),
    _S.OFFER: (),
    _S.REJECTED: (),
    _S.WITHDRAWN: (),
}
OPPORTUNITY_FINAL = tuple(status for status, moves in OPPORTUNITY_MOVES.items() if not moves)


class Opportunity(OwnedModel):
    Status = OpportunityStatus

    company = models.ForeignKey(Company, null=True, blank=True, on_delete=models.SET_NULL, related_name="opportunities")
    title = models.CharField(max_length=200)
    url = models.URLField(blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.HEARD)
    referrer = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="referred_opportunities"
    )
    # The conversation where the role came up (issue #14); the owner's own.
    conversation = models.ForeignKey(
        "outreach.Conversation", null=True, blank=True, on_delete=models.SET_NULL, related_name="opportunities"
    )
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "opportunities"
        ordering = ["-created_at", "-id"]
        constraints = [enum_check("status", OpportunityStatus, "opportunity_status_valid")]
        indexes = [models.Index(fields=["owner", "status"])]

    def __str__(self):
        return self.title

    def clean(self):
        self.check_same_owner("company", "referrer", "conversation")
