"""The account core every other app builds on: the user's profile and settings, and the
`OwnedModel` base that gives every row its one owner."""

import re
import secrets
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from .text import one_line


def enum_check(field: str, choices, name: str) -> models.CheckConstraint:
    """A database check that `field` holds one of the enum's values."""
    return models.CheckConstraint(condition=models.Q(**{f"{field}__in": choices.values}), name=name)


class OwnedModel(models.Model):
    """Every row belongs to exactly one user; nothing is shared."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        abstract = True

    # Constraint violation codes reported on a field rather than as a form-wide error.
    CONSTRAINT_FIELDS: dict[str, str] = {}
    # Names and other one-line text, stored as accounts.text.one_line makes them by every path
    # that validates (the services, the forms, the backup restore); bulk imports call it themselves.
    ONE_LINE_FIELDS: tuple[str, ...] = ()

    def clean_fields(self, exclude=None):
        for name in self.ONE_LINE_FIELDS:
            value = getattr(self, name)
            if isinstance(value, str):
                setattr(self, name, one_line(value))  # before the length and blank checks
        super().clean_fields(exclude=exclude)

    def validate_constraints(self, exclude=None):
        try:
            super().validate_constraints(exclude=exclude)
        except ValidationError as exc:
            errors: dict[str, list] = {}
            for field, field_errors in exc.error_dict.items():
                for error in field_errors:
                    errors.setdefault(self.CONSTRAINT_FIELDS.get(error.code, field), []).append(error)
            raise ValidationError(errors) from None

    def check_same_owner(self, *field_names: str) -> None:
        """Refuse links to another user's rows (the service layer calls this through full_clean)."""
        errors = {}
        for name in field_names:
            related = getattr(self, name, None)
            if related is not None and related.owner_id != self.owner_id:
                errors[name] = "Not found."
        if errors:
            raise ValidationError(errors)


def new_calendar_token() -> str:
    return secrets.token_urlsafe(32)


def new_mail_in_token() -> str:
    """Lower-case hex: mail servers may fold the case of an address's local part."""
    return secrets.token_hex(16)


_LINKEDIN_PROFILE = re.compile(
    r"^(https?://)?([a-z]{2,3}\.|www\.)?linkedin\.com/in/[^/?#\s]+/?([?#].*)?$", re.IGNORECASE
)


def validate_linkedin_profile(value: str) -> None:
    if value and not _LINKEDIN_PROFILE.match(value.strip()):
        raise ValidationError("Enter your LinkedIn profile URL (https://www.linkedin.com/in/…).")


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"“{value}” is not an IANA time zone (e.g. America/Toronto).")


class Pathway(models.TextChoices):
    PRODUCT_TRIO = "product_trio"
    INTERNAL_MOVE = "internal_move"
    BUILD_EXPERIENCE = "build_experience"


# Business days for the 3B7 routine (issue #14): stored as "mon,tue,wed,thu,fri".
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DEFAULT_WORKWEEK = "mon,tue,wed,thu,fri"


def parse_workweek(value: str) -> frozenset[int]:
    """The ISO weekday numbers (Monday = 1) of a stored workweek."""
    return frozenset(WEEKDAYS.index(day) + 1 for day in value.split(",") if day in WEEKDAYS)


def workweek_canonical(days) -> str:
    """A list of day names as stored: known days in week order, comma-separated. Raises
    ValidationError for an unknown day, an empty list or a day given twice."""
    days = [str(day).strip().lower() for day in days]
    unknown = [day for day in days if day not in WEEKDAYS]
    if unknown:
        raise ValidationError(f"Unknown day “{unknown[0]}”: use {', '.join(WEEKDAYS)}.")
    validate_workweek(",".join(days))
    return ",".join(day for day in WEEKDAYS if day in days)


def validate_workweek(value: str) -> None:
    days = value.split(",") if value else []
    unknown = [day for day in days if day not in WEEKDAYS]
    if unknown:
        raise ValidationError(f"Unknown day “{unknown[0]}”: use {', '.join(WEEKDAYS)}.")
    if not days:
        raise ValidationError("Choose at least one working day.")
    if len(set(days)) != len(days):
        raise ValidationError("Each day may appear once.")


class Routine(models.TextChoices):
    # Nudges `nudge_after_days` calendar days apart, up to `max_nudges` (the original behaviour).
    CALENDAR = "calendar", "Calendar days"
    # Steve Dalton's 3B7: a second person after 3 business days, one nudge after 7.
    THREE_B_SEVEN = "3b7", "3B7 (business days)"


class Profile(models.Model):
    Pathway = Pathway
    Routine = Routine

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
    # Your own profile: the LinkedIn messages import tells your messages from theirs by it (issue #13).
    linkedin_url = models.CharField(max_length=200, blank=True, validators=[validate_linkedin_profile])
    # The secret part of your mail-in address, in+<token>@MAIL_IN_DOMAIN (rotatable, like the calendar's).
    mail_in_token = models.CharField(max_length=64, unique=True, default=new_mail_in_token, editable=False)
    # The career engine (issue #14): which days count as business days, how asks are followed
    # up, and the Monday review e-mail.
    workweek = models.CharField(max_length=27, default=DEFAULT_WORKWEEK, validators=[validate_workweek])
    routine = models.CharField(max_length=16, choices=Routine.choices, default=Routine.CALENDAR)
    weekly_review = models.BooleanField(default=True)

    # The settings a user edits, declared once: the API's /me/, the Settings page and the backup read it.
    SETTINGS = (
        "timezone",
        "digest_hour",
        "email_reminders",
        "daily_digest",
        "nudge_after_days",
        "weekly_request_goal",
        "max_nudges",
        "pathway",
        "linkedin_url",
        # The 3B7 routine (issue #14): which days count as business days, and how asks are followed up.
        "workweek",
        "routine",
        "weekly_review",
    )
    # Those that decide when (or whether) reminders go out: only a change to one of these
    # re-plans the user's reminders.
    TIMING_SETTINGS = (
        "timezone",
        "digest_hour",
        "email_reminders",
        "daily_digest",
        "nudge_after_days",
        "max_nudges",
        "workweek",
        "routine",
        "weekly_review",
    )

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
            enum_check("routine", Routine, "profile_routine_valid"),
        ]

    def __str__(self):
        return f"Profile of {self.user}"

    @property
    def mail_in_address(self) -> str:
        """The private address that logs mail BCC'd or forwarded to it (issue #13)."""
        return f"in+{self.mail_in_token}@{settings.MAIL_IN_DOMAIN}"

    @property
    def workdays(self) -> frozenset[int]:
        return parse_workweek(self.workweek)

    @property
    def tzinfo(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    @classmethod
    def default(cls, name: str):
        """A setting's default, for a user who has no profile row (yet)."""
        return cls._meta.get_field(name).get_default()


def profile_setting(user, name: str):
    """The user's setting, or its default when they have no profile (e.g. an unsaved user)."""
    profile = getattr(user, "profile", None)
    return getattr(profile, name) if profile is not None else Profile.default(name)


class IdempotencyScope(models.TextChoices):
    API = "api"  # an `Idempotency-Key` header on POST /api/v1/...
    FORM = "form"  # a dashboard form's one-time token


class IdempotencyKey(OwnedModel):
    """One write's outcome, kept for a day, so that sending it again answers the same and writes nothing.

    A row is reserved (`status_code` null) before the write runs, in its own committed
    transaction, so a second request with the same key, in any process, finds it and waits
    for the outcome instead of writing too. `scope` keeps the API's client-chosen keys apart
    from the one-time tokens of the dashboard's forms.
    """

    Scope = IdempotencyScope
    MAX_KEY_LENGTH = 255

    scope = models.CharField(max_length=8, choices=Scope.choices)
    key = models.CharField(max_length=MAX_KEY_LENGTH)
    # SHA-256 of the method, path and body, so a key reused for another request is refused (API only).
    request_hash = models.CharField(max_length=64, blank=True)
    # Null while the first request runs; then its status, headers and body.
    status_code = models.PositiveSmallIntegerField(null=True)
    response_headers = models.JSONField(default=dict)
    response_body = models.BinaryField(default=b"")
    # Indexed: the prune deletes by age.
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["owner", "scope", "key"], name="idempotency_key_unique_per_owner"),
            enum_check("scope", IdempotencyScope, "idempotency_key_scope_valid"),
        ]

    def __str__(self):
        return f"{self.scope} key {self.key[:20]}"
