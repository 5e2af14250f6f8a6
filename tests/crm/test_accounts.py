"""Every account gets a profile and the starter templates, however it was created."""

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from accounts.models import Profile
from accounts.services import profile_update, user_register
from outreach.models import MessageTemplate, unknown_placeholders
from outreach.services import template_create, template_render
from tests.factories import ContactFactory


@pytest.mark.django_db
def test_sign_up_creates_a_profile_with_the_spec_defaults():
    user = user_register(username="grace", email="grace@example.com", password="a-long-enough-passphrase")
    profile = Profile.objects.get(user=user)
    assert (profile.timezone, profile.digest_hour, profile.email_reminders, profile.daily_digest) == (
        "UTC",
        8,
        True,
        True,
    )
    assert (profile.nudge_after_days, profile.weekly_request_goal, profile.max_nudges) == (7, 3, 2)
    assert len(profile.calendar_token) >= 40


@pytest.mark.django_db
def test_sign_up_refuses_a_weak_password_and_writes_nothing():
    with pytest.raises(ValidationError):
        user_register(username="grace", email="grace@example.com", password="123")
    assert not get_user_model().objects.exists()


@pytest.mark.django_db
def test_createsuperuser_style_accounts_get_a_profile_too():
    user = get_user_model().objects.create_superuser("root", "root@example.com", "x-strong-password-1")
    assert Profile.objects.filter(user=user).exists()


def test_starter_templates_cover_every_ask_and_use_only_known_placeholders(user):
    templates = MessageTemplate.objects.filter(owner=user)
    assert set(templates.values_list("kind", flat=True)) >= {
        "informational_interview", "coffee_chat", "case_study_feedback", "thank_you", "nudge", "reconnect",
    }  # fmt: skip
    for template in templates:
        assert unknown_placeholders(template.subject) == []
        assert unknown_placeholders(template.body) == []
    ask = templates.get(kind="informational_interview")
    # Asks for advice, never a job (the outreach check's rule, tests/outreach/test_starters_pass_the_outreach_check.py).
    assert "advice" in ask.body
    assert not {"job", "position", "opening", "hiring", "referral"} & set(ask.body.lower().replace(".", " ").split())


def test_rendering_is_plain_substitution(user):
    contact = ContactFactory(owner=user, first_name="Priya", title="Senior PM", how_we_met="{my_name} {{ 7*7 }}")
    template = template_create(
        owner=user, name="t", kind="coffee_chat", subject="Hi {first_name}", body="{how_we_met} at {company}"
    )
    rendered = template_render(template=template, contact=contact)
    assert rendered["subject"] == "Hi Priya"
    # User text is inserted verbatim, never evaluated or re-substituted.
    assert rendered["body"] == f"{{my_name}} {{{{ 7*7 }}}} at {contact.company.name}"


def test_an_unknown_placeholder_is_refused_when_saving(user):
    with pytest.raises(ValidationError) as refused:
        template_create(owner=user, name="t", kind="nudge", subject="Hi {firstname}", body="ok")
    assert "{firstname}" in str(refused.value.message_dict["subject"])
    assert not MessageTemplate.objects.filter(owner=user, name="t").exists()


def test_an_unknown_timezone_is_refused(user):
    with pytest.raises(ValidationError):
        profile_update(profile=user.profile, timezone="Mars/Olympus_Mons")
    user.profile.refresh_from_db()
    assert user.profile.timezone == "UTC"
