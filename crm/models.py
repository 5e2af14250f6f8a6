"""The user's own side: profile and settings, notes, opportunities, portfolio."""

import secrets
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from contacts.models import Company, Contact, OwnedModel, enum_check


def new_calendar_token() -> str:
    return secrets.token_urlsafe(32)


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"“{value}” is not an IANA time zone (e.g. America/Toronto).")


class Pathway(models.TextChoices):
    PRODUCT_TRIO = "product_trio"
    INTERNAL_MOVE = "internal_move"
    BUILD_EXPERIENCE = "build_experience"


class Profile(models.Model):
    Pathway = Pathway

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    timezone = models.CharField(max_length=64, default="UTC", validators=[validate_timezone])
    digest_hour = models.PositiveSmallIntegerField(default=8, validators=[MinValueValidator(0), MaxValueValidator(23)])
    email_reminders = models.BooleanField(default=True)
    daily_digest = models.BooleanField(default=True)
    nudge_after_days = models.PositiveSmallIntegerField(
        default=7, validators=[MinValueValidator(1), MaxValueValidator(90)]
    )
    weekly_request_goal = models.PositiveSmallIntegerField(default=3, validators=[MaxValueValidator(100)])
    max_nudges = models.PositiveSmallIntegerField(default=2, validators=[MaxValueValidator(10)])
    pathway = models.CharField(max_length=32, choices=Pathway.choices, default=Pathway.BUILD_EXPERIENCE)
    calendar_token = models.CharField(max_length=64, unique=True, default=new_calendar_token, editable=False)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(digest_hour__gte=0, digest_hour__lte=23), name="profile_digest_hour_range"
            ),
            models.CheckConstraint(
                condition=models.Q(nudge_after_days__gte=1, nudge_after_days__lte=90),
                name="profile_nudge_after_days_range",
            ),
            models.CheckConstraint(condition=models.Q(max_nudges__lte=10), name="profile_max_nudges_range"),
            models.CheckConstraint(condition=models.Q(weekly_request_goal__lte=100), name="profile_weekly_goal_range"),
            enum_check("pathway", Pathway, "profile_pathway_valid"),
        ]

    def __str__(self):
        return f"Profile of {self.user}"

    @property
    def tzinfo(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)


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


class NoteKind(models.TextChoices):
    ADVICE = "advice"
    CHALLENGE = "challenge"
    OPPORTUNITY = "opportunity"
    GENERAL = "general"


class Note(OwnedModel):
    Kind = NoteKind

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="notes")
    conversation = models.ForeignKey(
        "outreach.Conversation", null=True, blank=True, on_delete=models.SET_NULL, related_name="notes"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.GENERAL)
    # Markdown; rendered through crm.markdown.render_markdown, which sanitises the HTML.
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [enum_check("kind", NoteKind, "note_kind_valid")]
        indexes = [models.Index(fields=["owner", "contact", "-created_at"])]

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


class Opportunity(OwnedModel):
    Status = OpportunityStatus

    company = models.ForeignKey(Company, null=True, blank=True, on_delete=models.SET_NULL, related_name="opportunities")
    title = models.CharField(max_length=200)
    url = models.URLField(blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.HEARD)
    referrer = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="referred_opportunities"
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
        self.check_same_owner("company", "referrer")
