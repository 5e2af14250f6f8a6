"""API shapes for companies, tags and contacts. Parsing only; contacts.services writes."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.text import one_line
from config.api import ChoiceField, ModelSerializer
from config.fastlist import FastListSerializer
from config.ownership import OwnedPrimaryKeyRelatedField

from .models import LAMP_MAX, Company, Contact, Tag
from .selectors import DUPLICATE_REASONS, INTRO_KINDS


def _lamp_score(label: str):
    # Both LAMP scores share one range and one message, so a 400 says what is allowed.
    message = f"{label} is a score from 0 to {LAMP_MAX}."
    return {
        "min_value": 0,
        "max_value": LAMP_MAX,
        "error_messages": {"min_value": message, "max_value": message, "invalid": message},
    }


class CompanySerializer(ModelSerializer):
    contact_count = serializers.IntegerField(read_only=True, help_text="How many of your contacts work here.")
    contacts = serializers.IntegerField(
        source="contacts_active",
        read_only=True,
        help_text="How many of your contacts (archived ones left out) work here.",
    )
    alumni = serializers.IntegerField(
        read_only=True, help_text="Of `contacts`, how many are alumni (relationship `alumni`): the A of LAMP."
    )

    class Meta:
        model = Company
        fields = ["id", *Company.EDITABLE_FIELDS, "contact_count", "contacts", "alumni", "created_at"]
        read_only_fields = ["created_at"]
        extra_kwargs = {
            "target": {"help_text": "One of your target employers (LAMP)."},
            "motivation": {**_lamp_score("Motivation"), "help_text": f"How much you want to work here, 0–{LAMP_MAX}."},
            "posting": {**_lamp_score("Posting"), "help_text": f"How relevant its job postings are, 0–{LAMP_MAX}."},
        }
        # The case-insensitive uniqueness is checked by the service (full_clean).
        validators = []


class TagSerializer(ModelSerializer):
    contact_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Tag
        fields = ["id", "name", "contact_count"]
        validators = []

    def validate_name(self, value: str) -> str:
        name = one_line(value)
        if not name:
            raise serializers.ValidationError("A tag needs a name.")
        return name


@extend_schema_field({"type": "array", "items": {"type": "string", "maxLength": 50}})
class TagNamesField(serializers.Field):
    """Tags as a list of names; unknown names become new tags of the user's."""

    default_error_messages = {
        "not_a_list": 'Give tags as a list of names, e.g. ["mentor", "fintech"].',
        "too_long": 'Tag names are at most 50 characters: "{name}".',
        "null": "Null characters are not allowed.",
    }

    def get_attribute(self, instance):
        # A list page gives each contact its names from one query (selectors.contacts_with_tag_names).
        names = getattr(instance, "tag_names", None)
        return names if names is not None else super().get_attribute(instance)

    def to_representation(self, tags):
        return list(tags) if isinstance(tags, list) else [tag.name for tag in tags.all()]

    def to_internal_value(self, data):
        if not isinstance(data, list) or not all(isinstance(item, str) for item in data):
            self.fail("not_a_list")
        if any("\x00" in item for item in data):
            self.fail("null")
        names = [one_line(item) for item in data]
        for name in names:
            if len(name) > 50:
                self.fail("too_long", name=name[:60])
        return [name for name in names if name]


# Read-only conveniences the API shows right after the field they describe.
_SHOWN_AFTER = {"last_name": "full_name", "company": "company_name"}


def _with_shown_after(names) -> list[str]:
    fields = []
    for name in names:
        fields.append(name)
        if name in _SHOWN_AFTER:
            fields.append(_SHOWN_AFTER[name])
    return fields


class ContactSerializer(ModelSerializer):
    company = OwnedPrimaryKeyRelatedField(model=Company, allow_null=True, required=False)
    company_name = serializers.CharField(source="company.name", read_only=True, default=None, allow_null=True)
    referred_by = OwnedPrimaryKeyRelatedField(model=Contact, allow_null=True, required=False)
    tags = TagNamesField(required=False, help_text="Tag names; new names create tags.")
    full_name = serializers.CharField(read_only=True)

    class Meta:
        model = Contact
        # Lists read plain columns straight off the rows; same JSON (tests/api/test_fast_lists.py).
        list_serializer_class = FastListSerializer
        fields = ["id", *_with_shown_after(Contact.FIELDS), "created_at", "updated_at"]
        read_only_fields = [*Contact.MAINTAINED_FIELDS, "created_at", "updated_at"]
        extra_kwargs = {
            "reconnect_every_days": {"min_value": 1, "max_value": 3650},
        }
        # Uniqueness per owner (LinkedIn URL) is checked by the service's full_clean.
        validators = []


class MergeRequestSerializer(serializers.Serializer):
    other = OwnedPrimaryKeyRelatedField(
        model=Contact, help_text="The duplicate: its rows move onto this contact, then it is deleted."
    )


class DuplicateGroupSerializer(serializers.Serializer):
    reason = ChoiceField(choices=DUPLICATE_REASONS, read_only=True, help_text="The strongest reason.")
    reasons = serializers.ListField(
        child=ChoiceField(choices=DUPLICATE_REASONS),
        read_only=True,
        help_text="Why these contacts look like one person: the same LinkedIn profile (normalised), "
        "the same e-mail (any case), the same name at the same company.",
    )
    size = serializers.IntegerField(read_only=True, help_text="How many contacts the group holds.")
    contacts = ContactSerializer(many=True, read_only=True, help_text="The first 10, oldest first.")


class CompanyMergeSerializer(serializers.Serializer):
    other = OwnedPrimaryKeyRelatedField(
        model=Company, help_text="Your company to merge into this one: its contacts move here, then it is deleted."
    )


class TagMergeSerializer(serializers.Serializer):
    other = OwnedPrimaryKeyRelatedField(
        model=Tag, help_text="Your tag to merge into this one: its contacts get this tag, then it is deleted."
    )


class IntroPathSerializer(serializers.Serializer):
    contact = serializers.IntegerField(
        source="contact.pk", read_only=True, help_text="The contact who could introduce you."
    )
    contact_name = serializers.CharField(source="contact.full_name", read_only=True)
    kind = ChoiceField(
        choices=INTRO_KINDS,
        read_only=True,
        help_text="`worked_there` (their job-change history), `referral_reached` (someone they referred works "
        "there), `second_degree` (linked by referred_by to someone who works or worked there).",
    )
    reason = serializers.CharField(read_only=True, help_text="Why, in a sentence.")
