"""Dashboard forms: they parse and validate input; the services do the writing."""

import zoneinfo
from datetime import datetime

from django import forms
from django.core.exceptions import ValidationError

from accounts.errors import ApplicationError
from accounts.models import Profile
from accounts.services import NAME_FIELDS, password_confirmed
from contacts.models import Contact
from crm.models import Note
from outreach.models import Channel, ConversationKind, FollowUp, MessageTemplate, PortfolioItem


class Form(forms.Form):
    """Labels without a trailing colon (they are bold and sit above their field)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


def add_service_errors(form: forms.Form, error: ValidationError | ApplicationError) -> None:
    """Attach a service's refusal to the form: next to the field when the form has it."""
    if isinstance(error, ApplicationError):
        target = error.field if error.field in form.fields else None
        form.add_error(target, error.message)
    elif hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            target = field if field in form.fields else None
            for message in messages:
                form.add_error(target, message if target else _prefix(field, message))
    else:
        for message in error.messages:
            form.add_error(None, message)


def _prefix(field: str, message: str) -> str:
    if field in ("__all__", None):
        return message
    return f"{field.replace('_', ' ').capitalize()}: {message}"


class SignupForm(Form):
    username = forms.CharField(
        max_length=150, widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True})
    )
    email = forms.EmailField(widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    password = forms.CharField(
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 8 characters, not all numbers, not a common password.",
    )
    # Filled in by app.js from the browser's clock, so a new account shows times on the user's
    # clock from the first page (UTC, changeable in Settings, when the browser says nothing).
    timezone = forms.CharField(required=False, widget=forms.HiddenInput(attrs={"data-browser-timezone": ""}))

    def clean_timezone(self):
        name = self.cleaned_data["timezone"]
        return name if name in zoneinfo.available_timezones() else ""


class AccountDeleteForm(Form):
    """Deleting the account: the user re-enters their password."""

    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, request, *args, **kwargs):
        self.request = request
        super().__init__(*args, **kwargs)

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not password_confirmed(request=self.request, user=self.request.user, password=password):
            raise ValidationError("That is not your password.")
        return password


class ContactForm(Form):
    """The contact's own fields, in Contact.FIELDS order; archiving is its own button and the
    referrer is set through the API or an import."""

    FIELDS = tuple(name for name in Contact.EDITABLE_FIELDS if name not in ("referred_by", "archived"))
    field_order = FIELDS

    first_name = forms.CharField(max_length=100)
    last_name = forms.CharField(max_length=100, required=False)
    email = forms.EmailField(required=False)
    linkedin_url = forms.URLField(label="LinkedIn URL", max_length=300, required=False, assume_scheme="https")
    company = forms.CharField(
        max_length=200,
        required=False,
        help_text="Created if it is new.",
        widget=forms.TextInput(attrs={"list": "company-names"}),
    )
    title = forms.CharField(max_length=200, required=False)
    relationship = forms.ChoiceField(choices=Contact.Relationship.choices, initial=Contact.Relationship.PRODUCT_MANAGER)
    source = forms.ChoiceField(choices=Contact.Source.choices, initial=Contact.Source.LINKEDIN)
    tags = forms.CharField(max_length=500, required=False, help_text="Comma-separated, e.g. fintech, alumni")
    how_we_met = forms.CharField(label="How we met", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    connected_on = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    reconnect_every_days = forms.IntegerField(
        label="Reconnect every (days)",
        required=False,
        min_value=1,
        max_value=3650,
        help_text="Leave empty for no reconnect cadence.",
    )

    def tag_names(self) -> list[str]:
        return [t.strip() for t in self.cleaned_data.get("tags", "").split(",") if t.strip()]

    @classmethod
    def initial_for(cls, contact: Contact) -> dict:
        initial = {name: getattr(contact, name) for name in cls.FIELDS if name not in ("company", "tags")}
        initial["company"] = contact.company.name if contact.company else ""
        initial["tags"] = ", ".join(t.name for t in contact.tags.all())
        return initial


class NoteForm(Form):
    kind = forms.ChoiceField(choices=Note.Kind.choices, initial=Note.Kind.GENERAL)
    body = forms.CharField(label="Note", widget=forms.Textarea(attrs={"rows": 3}), help_text="Markdown is fine.")
    conversation = forms.TypedChoiceField(required=False, coerce=int, empty_value=None, label="About conversation")

    def __init__(self, *args, conversations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["conversation"].choices = [("", "— none —")] + [
            (c.pk, f"{c.get_kind_display()} ({c.get_stage_display()})") for c in conversations
        ]


class FollowUpForm(Form):
    title = forms.CharField(max_length=200)
    kind = forms.ChoiceField(choices=FollowUp.Kind.choices, initial=FollowUp.Kind.OTHER)
    due_on = forms.DateField(label="Due on", widget=forms.DateInput(attrs={"type": "date"}))


class SnoozeForm(Form):
    due_on = forms.DateField(label="Snooze until", widget=forms.DateInput(attrs={"type": "date"}))


class RequestForm(Form):
    """Start a request from a template: the conversation is created and moved to `requested`."""

    template = forms.TypedChoiceField(coerce=int, label="Template")
    kind = forms.ChoiceField(choices=ConversationKind.choices, required=False, label="Kind of ask")
    channel = forms.ChoiceField(choices=Channel.choices, initial=Channel.LINKEDIN)

    def __init__(self, *args, templates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.templates = {t.pk: t for t in templates}
        self.fields["template"].choices = [(t.pk, t.name) for t in templates]

    def clean_template(self):
        return self.templates[self.cleaned_data["template"]]


class LocalMomentForm(Form):
    """A date and a time on the user's own clock, turned into one instant."""

    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    time = forms.TimeField(widget=forms.TimeInput(attrs={"type": "time"}))

    def __init__(self, *args, tz: zoneinfo.ZoneInfo, **kwargs):
        super().__init__(*args, **kwargs)
        self.tz = tz

    def moment(self) -> datetime:
        naive = datetime.combine(self.cleaned_data["date"], self.cleaned_data["time"])
        local = naive.replace(tzinfo=self.tz)
        try:
            round_trip = local.astimezone(zoneinfo.ZoneInfo("UTC")).astimezone(self.tz).replace(tzinfo=None)
        except OverflowError:  # e.g. 31 Dec 9999, 23:30 in a zone behind UTC is after year 9999 in UTC
            raise ValidationError({"date": "That date is too far in the past or the future."}) from None
        # A wall time skipped by a DST jump does not survive a round trip through UTC.
        if round_trip != naive:
            raise ValidationError({"time": "That time does not exist in your time zone (clocks change that day)."})
        return local


class ScheduleForm(LocalMomentForm):
    """Date, time and place of a chat, in the user's own time zone."""

    location = forms.CharField(
        label="Place or meeting link",
        max_length=500,
        required=False,
    )

    def scheduled_for(self) -> datetime:
        return self.moment()


class HeldForm(LocalMomentForm):
    """When a chat marked held before its scheduled time really happened."""

    date = forms.DateField(label="Date it happened", widget=forms.DateInput(attrs={"type": "date"}))
    time = forms.TimeField(label="Time it started", widget=forms.TimeInput(attrs={"type": "time"}))


class TemplateForm(Form):
    name = forms.CharField(max_length=100)
    kind = forms.ChoiceField(choices=MessageTemplate.Kind.choices)
    subject = forms.CharField(max_length=200, required=False)
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 10}))


def _timezone_choices():
    return [(name, name.replace("_", " ")) for name in sorted(zoneinfo.available_timezones())]


class ProfileForm(Form):
    first_name = forms.CharField(
        label="First name", max_length=150, required=False, help_text="Signs your messages ({my_name})."
    )
    last_name = forms.CharField(label="Last name", max_length=150, required=False)
    timezone = forms.ChoiceField(label="Time zone", choices=_timezone_choices)
    digest_hour = forms.TypedChoiceField(
        label="Daily digest at", coerce=int, choices=[(h, f"{h:02d}:00") for h in range(24)]
    )
    email_reminders = forms.BooleanField(label="Email me when a follow-up is due and before chats", required=False)
    daily_digest = forms.BooleanField(label="Send a daily digest", required=False)
    pathway = forms.ChoiceField(choices=Profile.Pathway.choices, label="My way into product")
    weekly_request_goal = forms.IntegerField(label="Requests to send per week", min_value=0, max_value=100)
    nudge_after_days = forms.IntegerField(label="Nudge after (days)", min_value=1, max_value=90)
    max_nudges = forms.IntegerField(label="Nudges before giving up", min_value=0, max_value=10)
    linkedin_url = forms.CharField(
        label="Your LinkedIn profile URL",
        max_length=200,
        required=False,
        help_text="Tells your own messages from the others' when you import LinkedIn's messages.csv.",
    )

    PROFILE_FIELDS = (*NAME_FIELDS, *Profile.SETTINGS)

    @classmethod
    def initial_for(cls, user) -> dict:
        profile = user.profile
        return {name: getattr(user if name in NAME_FIELDS else profile, name) for name in cls.PROFILE_FIELDS}


class PortfolioItemForm(Form):
    title = forms.CharField(max_length=200)
    kind = forms.ChoiceField(choices=PortfolioItem.Kind.choices)
    status = forms.ChoiceField(choices=PortfolioItem.Status.choices, initial=PortfolioItem.Status.DRAFTING)
    url = forms.URLField(label="Link", required=False, assume_scheme="https")
    summary = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
