"""Dashboard forms: they parse and validate input; the services do the writing."""

import zoneinfo
from datetime import datetime

from django import forms
from django.core.exceptions import ValidationError

from accounts.errors import ApplicationError
from accounts.models import WEEKDAYS, Profile, workweek_canonical
from accounts.services import NAME_FIELDS, password_confirmed
from accounts.timezones import canonical_name, canonical_timezones
from contacts.models import LAMP_MAX, Company, Contact, text_key
from crm.models import Note, Opportunity
from crm.playbook import PATHWAY_SUMMARIES
from outreach.models import (
    Channel,
    Conversation,
    ConversationKind,
    FollowUp,
    MessageTemplate,
    PortfolioItem,
    TouchChannel,
)


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
        # An older browser may say "Asia/Calcutta": store the name the Settings list shows.
        return canonical_name(name) if name in zoneinfo.available_timezones() else ""


class PasswordConfirmForm(Form):
    """A step the user confirms by re-entering their password (checked like a log-in)."""

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


class NoteBodyField(forms.CharField):
    """A note's Markdown body, at most Note.BODY_MAX_LENGTH characters. No `maxlength` attribute:
    a browser would cut a longer paste silently; the form says how long it is instead."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", "Note")
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 3}))
        kwargs.setdefault("help_text", f"Markdown is fine (up to {Note.BODY_MAX_LENGTH:,} characters).")
        super().__init__(max_length=Note.BODY_MAX_LENGTH, **kwargs)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.pop("maxlength", None)
        return attrs


class NoteEditForm(Form):
    kind = forms.ChoiceField(choices=Note.Kind.choices)
    body = NoteBodyField(widget=forms.Textarea(attrs={"rows": 5}))

    def __init__(self, *args, note: Note, **kwargs):
        kwargs.setdefault("initial", {"kind": note.kind, "body": note.body})
        kwargs.setdefault("prefix", f"note-{note.pk}")
        super().__init__(*args, **kwargs)


class NoteForm(Form):
    kind = forms.ChoiceField(choices=Note.Kind.choices, initial=Note.Kind.GENERAL)
    body = NoteBodyField()
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
    """A preset (`due_on`: never earlier than the follow-up is due) or a date the user picks
    (`on`: any day ahead, earlier included); a picked date wins."""

    due_on = forms.DateField(label="Snooze until", required=False)
    on = forms.DateField(label="Or pick a date", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        if not data.get("on") and not data.get("due_on"):
            raise ValidationError("Pick a date to snooze until.")
        return data

    @property
    def chosen(self) -> bool:
        return bool(self.cleaned_data.get("on"))

    @property
    def day(self):
        return self.cleaned_data.get("on") or self.cleaned_data["due_on"]


class RequestForm(Form):
    """Start a request from a template: the conversation is created and moved to `requested`,
    keeping the subject and message as the user edited and sent them."""

    template = forms.TypedChoiceField(coerce=int, label="Template")
    kind = forms.ChoiceField(choices=ConversationKind.choices, required=False, label="Kind of ask")
    channel = forms.ChoiceField(choices=Channel.choices, initial=Channel.LINKEDIN)
    message_subject = forms.CharField(label="Subject", max_length=200, required=False, strip=False)
    message_body = forms.CharField(label="Message", max_length=20_000, required=False, strip=False)
    allow_duplicate = forms.BooleanField(required=False, label="Ask again anyway (keep the open ask too)")
    # Issue #14: the piece a case-study feedback ask is about (the user's own items only).
    portfolio_item = forms.TypedChoiceField(
        coerce=int,
        required=False,
        empty_value=None,
        label="Piece to get feedback on",
        help_text="Only for a case-study feedback ask.",
    )

    def __init__(self, *args, templates=(), portfolio_items=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.templates = {t.pk: t for t in templates}
        self.fields["template"].choices = [(t.pk, t.name) for t in templates]
        self.portfolio_items = {item.pk: item for item in portfolio_items}
        self.fields["portfolio_item"].choices = [("", "— none —")] + [(item.pk, item.title) for item in portfolio_items]

    def clean_template(self):
        return self.templates[self.cleaned_data["template"]]

    def clean_portfolio_item(self):
        pk = self.cleaned_data["portfolio_item"]
        return None if pk is None else self.portfolio_items[pk]

    def clean(self):
        data = super().clean()
        template = data.get("template")
        kind = data.get("kind") or (template.kind if template and template.kind in ConversationKind.values else "")
        if data.get("portfolio_item") is not None and kind != ConversationKind.CASE_STUDY_FEEDBACK:
            self.add_error(
                "portfolio_item",
                "A portfolio piece goes with a case-study feedback ask only: choose that kind, or no piece.",
            )
        return data


class PlanForm(Form):
    """Plan a request: a `planned` conversation to send later (Today lists the queue)."""

    # Labels differ from the request form's: both forms are on the contact's page.
    kind = forms.ChoiceField(choices=ConversationKind.choices, label="Planned kind of ask")
    template = forms.TypedChoiceField(coerce=int, required=False, empty_value=None, label="Message to start from")
    channel = forms.ChoiceField(choices=Channel.choices, initial=Channel.LINKEDIN, label="Planned channel")
    allow_duplicate = forms.BooleanField(required=False, label="Plan another anyway (keep the open ask too)")

    def __init__(self, *args, templates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.templates = {t.pk: t for t in templates}
        self.fields["template"].choices = [("", "— none —")] + [(t.pk, t.name) for t in templates]

    def clean_template(self):
        pk = self.cleaned_data["template"]
        return None if pk is None else self.templates[pk]


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


class FollowUpEditForm(LocalMomentForm):
    """A follow-up's title and due moment, on the user's clock (its reminder follows the change)."""

    field_order = ("title", "date", "time")
    title = forms.CharField(max_length=200)
    date = forms.DateField(label="Due on", widget=forms.DateInput(attrs={"type": "date"}))
    time = forms.TimeField(label="At", widget=forms.TimeInput(attrs={"type": "time"}))

    def __init__(self, *args, follow_up: FollowUp, **kwargs):
        local = follow_up.due_at.astimezone(kwargs["tz"])
        kwargs.setdefault(
            "initial", {"title": follow_up.title, "date": local.date(), "time": local.time().replace(second=0)}
        )
        kwargs.setdefault("prefix", f"fu-{follow_up.pk}")
        super().__init__(*args, **kwargs)


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


class LogHeldForm(LocalMomentForm):
    """A chat that already happened, recorded as held in one step."""

    date = forms.DateField(label="Date it happened", widget=forms.DateInput(attrs={"type": "date"}))
    time = forms.TimeField(label="Time it started", widget=forms.TimeInput(attrs={"type": "time"}))
    kind = forms.ChoiceField(choices=ConversationKind.choices, label="Kind of chat")
    channel = forms.ChoiceField(choices=Channel.choices, initial=Channel.VIDEO, label="Where it happened")
    outcome = forms.CharField(
        label="Outcome — what came of it", required=False, max_length=20_000, widget=forms.Textarea(attrs={"rows": 3})
    )


class TemplateForm(Form):
    name = forms.CharField(max_length=100)
    kind = forms.ChoiceField(choices=MessageTemplate.Kind.choices)
    subject = forms.CharField(max_length=200, required=False)
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 10}))


class QuestionForm(Form):
    """A question of the question bank (#14)."""

    kind = forms.ChoiceField(choices=ConversationKind.choices, label="For a")
    category = forms.CharField(
        max_length=40, required=False, label="Category", help_text="Optional, e.g. Trends, Insights, Advice."
    )
    text = forms.CharField(max_length=300, label="Question")


def _timezone_choices():
    return [(name, name.replace("_", " ")) for name in canonical_timezones()]


DAY_NAMES = dict(zip(WEEKDAYS, ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")))


def _pathway_choices():
    return [(value, f"{label} — {PATHWAY_SUMMARIES[value]}") for value, label in Profile.Pathway.choices]


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
    weekly_review = forms.BooleanField(
        label="Send a weekly review on Mondays",
        required=False,
        help_text="Last week's asks, replies and chats against your goal, and who to reach next.",
    )
    pathway = forms.ChoiceField(choices=_pathway_choices, label="My way into product", widget=forms.RadioSelect)
    weekly_request_goal = forms.IntegerField(label="Requests to send per week", min_value=0, max_value=100)
    nudge_after_days = forms.IntegerField(label="Nudge after (days)", min_value=1, max_value=90)
    max_nudges = forms.IntegerField(label="Nudges before giving up", min_value=0, max_value=10)
    workweek = forms.MultipleChoiceField(
        label="My working days",
        choices=[(day, DAY_NAMES[day]) for day in WEEKDAYS],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one working day."},
        help_text="Business days: the 3B7 routine counts only these.",
    )
    routine = forms.ChoiceField(
        label="Follow-up routine",
        choices=Profile.Routine.choices,
        help_text="Calendar days: nudge every “Nudge after” days, up to “Nudges before giving up”. "
        "3B7: after 3 business days without a reply, try a second person at a target company; "
        "after 7, nudge once.",
    )
    linkedin_url = forms.CharField(
        label="Your LinkedIn profile URL",
        max_length=200,
        required=False,
        help_text="Tells your own messages from the others' when you import LinkedIn's messages.csv.",
    )

    PROFILE_FIELDS = (*NAME_FIELDS, *Profile.SETTINGS)

    def __init__(self, *args, current_timezone: str = "UTC", **kwargs):
        super().__init__(*args, **kwargs)
        # A zone stored before the list was canonical (e.g. "US/Eastern") shows as its canonical
        # zone; one with none (e.g. "Etc/GMT+5") stays offered, so saving keeps it.
        if canonical_name(current_timezone) not in canonical_timezones():
            self.fields["timezone"].choices = [*_timezone_choices(), (current_timezone, current_timezone)]

    @classmethod
    def initial_for(cls, user) -> dict:
        profile = user.profile
        initial = {name: getattr(user if name in NAME_FIELDS else profile, name) for name in cls.PROFILE_FIELDS}
        initial["timezone"] = canonical_name(profile.timezone)
        initial["workweek"] = [day for day in profile.workweek.split(",") if day]
        return initial

    def clean_workweek(self):
        try:
            return workweek_canonical(self.cleaned_data["workweek"])
        except ValidationError as exc:
            raise forms.ValidationError(exc.messages) from None


class AccountDeleteForm(PasswordConfirmForm):
    """Deleting the account: the user re-enters their password."""


class EmailChangeForm(PasswordConfirmForm):
    """A new account e-mail, confirmed with the password (it is where password resets go)."""

    email = forms.EmailField(label="New e-mail address", widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    field_order = ("email", "password")


class PortfolioItemForm(Form):
    title = forms.CharField(max_length=200)
    kind = forms.ChoiceField(choices=PortfolioItem.Kind.choices)
    status = forms.ChoiceField(choices=PortfolioItem.Status.choices, initial=PortfolioItem.Status.DRAFTING)
    url = forms.URLField(label="Link", required=False, assume_scheme="https")
    summary = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


class TouchForm(Form):
    """ "We talked": a touch with one contact, now. Only the channel and a line about it."""

    channel = forms.ChoiceField(choices=TouchChannel.choices, initial=TouchChannel.OTHER)
    summary = forms.CharField(
        label="About (optional)",
        required=False,
        max_length=20_000,
        widget=forms.TextInput(attrs={"placeholder": "e.g. Commented on her launch post"}),
    )


class EventForm(LocalMomentForm):
    """ "Log an event": a touch with several people at a moment on the user's clock. The
    contacts come from the picker (checkboxes named `contacts`); the view checks they are the
    user's own."""

    date = forms.DateField(label="Date", widget=forms.DateInput(attrs={"type": "date"}))
    time = forms.TimeField(label="Time", widget=forms.TimeInput(attrs={"type": "time"}))
    channel = forms.ChoiceField(choices=TouchChannel.choices, initial=TouchChannel.EVENT)
    summary = forms.CharField(
        label="What happened (optional)",
        required=False,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "e.g. Product meetup: talked about discovery"}),
    )


# --- targets (issue #14) ---------------------------------------------------------------------

LAMP_CHOICES = [(n, str(n)) for n in range(LAMP_MAX + 1)]
NEW_TARGET_FIELDS = 5


class TargetForm(Form):
    """One target's LAMP scores and its target toggle, edited inline on the Targets page."""

    target = forms.BooleanField(required=False, label="Target")
    motivation = forms.TypedChoiceField(choices=LAMP_CHOICES, coerce=int, label="Motivation")
    posting = forms.TypedChoiceField(choices=LAMP_CHOICES, coerce=int, label="Posting")


class TargetsAddForm(Form):
    """Five company names to add as targets, plus suggested companies ticked."""

    def __init__(self, *args, suggestions=(), **kwargs):
        super().__init__(*args, **kwargs)
        for i in range(1, NEW_TARGET_FIELDS + 1):
            self.fields[f"name_{i}"] = forms.CharField(max_length=200, required=False, label=f"Company {i}")
        self.suggestions = {c.pk: c for c in suggestions}
        self.fields["companies"] = forms.TypedMultipleChoiceField(
            choices=[(c.pk, c.name) for c in suggestions],
            coerce=int,
            required=False,
            widget=forms.CheckboxSelectMultiple,
            label="Companies where you know people",
        )

    def name_fields(self):
        return [self[f"name_{i}"] for i in range(1, NEW_TARGET_FIELDS + 1)]

    def clean(self):
        data = super().clean()
        seen: dict[str, str] = {}
        for i in range(1, NEW_TARGET_FIELDS + 1):
            name = (data.get(f"name_{i}") or "").strip()
            if name and text_key(name) in seen:
                self.add_error(f"name_{i}", f"“{name}” is already in {seen[text_key(name)]}: give each company once.")
            elif name:
                seen[text_key(name)] = f"Company {i}"
        if not seen and not data.get("companies"):
            raise ValidationError("Type at least one company name, or tick a suggestion.")
        return data

    def service_arguments(self) -> dict:
        return {
            "names": [self.cleaned_data[f"name_{i}"] for i in range(1, NEW_TARGET_FIELDS + 1)],
            "companies": [self.suggestions[pk] for pk in self.cleaned_data.get("companies") or []],
        }


# --- opportunities and the portfolio (issue #14) --------------------------------------------

# Choices a link select offers at most (the current value is always among them).
LINK_CHOICES_MAX = 300


def _link_choices(queryset, label, current=None) -> list:
    rows = list(queryset[:LINK_CHOICES_MAX])
    if current is not None and current not in rows:
        rows.append(current)
    return [("", "— none —")] + [(row.pk, label(row)) for row in rows]


class OpportunityForm(Form):
    """An opportunity's own fields; its links are picked among the user's rows only (anyone
    else's id is "not one of the choices"). `status` is set on creation; afterwards it moves
    with the board's buttons (crm.services.OPPORTUNITY_MOVES)."""

    title = forms.CharField(max_length=200)
    company = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    referrer = forms.TypedChoiceField(coerce=int, required=False, empty_value=None, label="Referrer (contact)")
    conversation = forms.TypedChoiceField(coerce=int, required=False, empty_value=None, label="Came up in conversation")
    url = forms.URLField(label="Link to the posting", required=False, assume_scheme="https")
    status = forms.ChoiceField(choices=Opportunity.Status.choices, initial=Opportunity.Status.HEARD)
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, user, instance: Opportunity | None = None, **kwargs):
        if instance is not None:
            kwargs.setdefault(
                "initial",
                {
                    "title": instance.title,
                    "company": instance.company_id,
                    "referrer": instance.referrer_id,
                    "conversation": instance.conversation_id,
                    "url": instance.url,
                    "notes": instance.notes,
                },
            )
        super().__init__(*args, **kwargs)
        if instance is not None:
            del self.fields["status"]
        self._querysets = {
            "company": Company.objects.filter(owner=user).order_by("name", "id"),
            "referrer": Contact.objects.filter(owner=user, archived=False).order_by("first_name", "last_name", "id"),
            "conversation": Conversation.objects.filter(owner=user)
            .select_related("contact")
            .order_by("-created_at", "-id"),
        }
        self.fields["company"].choices = _link_choices(
            self._querysets["company"], str, instance.company if instance else None
        )
        self.fields["referrer"].choices = _link_choices(
            self._querysets["referrer"], lambda c: c.full_name, instance.referrer if instance else None
        )
        self.fields["conversation"].choices = _link_choices(
            self._querysets["conversation"],
            lambda c: f"{c.get_kind_display()} with {c.contact.full_name}",
            instance.conversation if instance else None,
        )

    def clean(self):
        data = super().clean()
        for name, queryset in self._querysets.items():
            if data.get(name) is not None:
                data[name] = queryset.filter(pk=data[name]).first()
                if data[name] is None:
                    self.add_error(name, "Not found.")
        return data


class NoteOpportunityForm(Form):
    """ "Track as opportunity" on an opportunity note: the title (from the note's first line),
    and optionally an `apply` follow-up on a chosen day."""

    title = forms.CharField(max_length=200, label="Role")
    add_apply = forms.BooleanField(required=False, label="Remind me to apply")
    apply_on = forms.DateField(required=False, label="Apply by", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, note: Note, **kwargs):
        kwargs.setdefault("prefix", f"opp-{note.pk}")
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        if data.get("add_apply") and not data.get("apply_on"):
            self.add_error("apply_on", "Pick the day to apply by.")
        if not data.get("add_apply"):
            data["apply_on"] = None
        return data


class PortfolioStatusForm(Form):
    status = forms.ChoiceField(choices=PortfolioItem.Status.choices, label="Status")
