"""Issue #14, templates that learn: per-template replies and acceptance over a chosen period,
the comparison of two templates (Fisher's exact test) in a plain sentence, and the dashboard's
`channels` figure. Expected values are worked out by hand (or by scipy, called here)."""

import math
from datetime import timedelta
from itertools import count

import pytest
import time_machine
from scipy.stats import fisher_exact

from contacts.services import contact_create
from outreach.services import conversation_create, conversation_reply, conversation_transition, template_create
from tests.factories import aware

NOW = aware(2026, 3, 2, 12, 0)
_names = count()


def ask(user, template, *, when=aware(2026, 2, 20, 9, 0), then=(), replied=False, channel="linkedin"):
    """A request sent with `template` at `when`, then moved through `then` (stage names), an hour apart each."""
    with time_machine.travel(when, tick=False):
        contact = contact_create(owner=user, first_name=f"P{next(_names)}", source="linkedin")
        conv = conversation_create(owner=user, contact=contact, kind="coffee_chat", template=template, channel=channel)
        conversation_transition(conversation=conv, to_stage="requested", at=when)
        if replied:
            conversation_reply(conversation=conv, at=when)
    for hours, stage in enumerate(then, start=1):
        later = when.replace(hour=when.hour + hours)
        extra = {"scheduled_for": later + timedelta(minutes=30)} if stage == "scheduled" else {}
        with time_machine.travel(later, tick=False):
            conversation_transition(conversation=conv, to_stage=stage, at=later, **extra)
    return conv


@pytest.fixture
def templates(user):
    with time_machine.travel(aware(2025, 10, 1, 9, 0), tick=False):
        warm = template_create(owner=user, name="Warm alumni note", kind="coffee_chat", body="Hi {first_name}")
        cold = template_create(owner=user, name="Cold note", kind="coffee_chat", body="Hello {first_name}")
    return warm, cold


@pytest.fixture
def seeded(user, templates):
    warm, cold = templates
    # Warm: four asks in the last 90 days — scheduled, declined, replied (still requested), silent —
    # and one 120 days ago that was scheduled (outside 90 days, inside 200).
    ask(user, warm, then=["scheduled"])
    ask(user, warm, then=["declined"])
    ask(user, warm, replied=True)
    ask(user, warm)
    ask(user, warm, when=aware(2025, 11, 2, 9, 0), then=["scheduled"])
    # Cold: two asks — one scheduled then held, one silent.
    ask(user, cold, then=["scheduled", "held"], channel="email")
    ask(user, cold, channel="email")
    return warm, cold


def _dashboard(api_client, **query):
    with time_machine.travel(NOW, tick=False):
        response = api_client.get("/api/v1/dashboard/", query)
    assert response.status_code == 200, response.content
    return response.json()


def test_dashboard_templates_give_replies_and_acceptance_beside_the_old_figures(api_client, seeded):
    by_name = {row["name"]: row for row in _dashboard(api_client)["templates"]}
    assert by_name["Warm alumni note"] == {
        "id": seeded[0].pk,
        "name": "Warm alumni note",
        "used": 4,
        "responses": 2,  # scheduled + declined
        "response_rate": 0.5,
        "replies": 3,  # + the one marked replied
        "reply_rate": 0.75,
        "accepted": 1,
        "acceptance_rate": 0.25,
    }
    assert by_name["Cold note"] | {"id": 0} == {
        "id": 0,
        "name": "Cold note",
        "used": 2,
        "responses": 1,
        "response_rate": 0.5,
        "replies": 1,
        "reply_rate": 0.5,
        "accepted": 1,
        "acceptance_rate": 0.5,
    }
    warm_200 = {row["name"]: row for row in _dashboard(api_client, days=200)["templates"]}["Warm alumni note"]
    assert (warm_200["used"], warm_200["replies"], warm_200["accepted"], warm_200["acceptance_rate"]) == (5, 4, 2, 0.4)


def test_dashboard_channels_are_figured_like_sources(api_client, seeded):
    channels = {row["channel"]: row for row in _dashboard(api_client)["channels"]}
    assert set(channels) == {"linkedin", "email", "slack", "in_person", "phone", "video", "other"}
    assert channels["linkedin"] == {
        "channel": "linkedin",
        "used": 4,
        "responses": 2,
        "response_rate": 0.5,
        "replies": 3,
        "reply_rate": 0.75,
        "accepted": 1,
        "acceptance_rate": 0.25,
    }
    assert (channels["email"]["used"], channels["email"]["responses"], channels["email"]["reply_rate"]) == (2, 1, 0.5)
    assert channels["phone"]["used"] == 0 and channels["phone"]["response_rate"] is None


def test_templates_page_shows_the_figures_for_the_chosen_period(client, user, seeded):
    client.force_login(user)
    with time_machine.travel(NOW, tick=False):
        page = client.get("/templates/").content.decode()
        longer = client.get("/templates/", {"days": 180}).content.decode()
        compared = client.get("/templates/", {"a": seeded[0].pk, "b": seeded[1].pk}).content.decode()
        bogus = client.get("/templates/", {"days": 7}).content.decode()
    assert "Used 4 times in the last 90 days" in page
    assert "3 replies (75%)" in page and "1 accepted (25%)" in page
    assert "Used 5 times in the last 180 days" in longer
    assert "2 accepted (40%)" in longer
    assert "Used 4 times in the last 90 days" in bogus  # an unoffered period falls back to 90
    # 3 of 4 vs 1 of 2: by hand 0.75 and 0.5 need 58 asks each (57.67 rounded up, as 0.5 vs 0.25), so 54 + 56 more.
    assert "Too few to tell yet (need about 110 more asks): 3 of 4 vs 1 of 2" in compared


def _compare(api_client, a, b, days=90):
    with time_machine.travel(NOW, tick=False):
        return api_client.get("/api/v1/templates/compare/", {"a": a.pk, "b": b.pk, "days": days})


def test_a_clear_difference_is_said_with_its_p_value(user, api_client, templates):
    warm, cold = templates
    for i in range(10):
        ask(user, warm, then=["declined"] if i < 7 else [])
    for i in range(12):
        ask(user, cold, then=["scheduled"] if i < 2 else [])
    expected_p = fisher_exact([[7, 3], [2, 10]]).pvalue  # 0.0274...
    assert 0.027 < expected_p < 0.028
    body = _compare(api_client, cold, warm).json()
    assert body["a"] == {"id": cold.pk, "name": "Cold note", "used": 12, "replies": 2, "rate": round(2 / 12, 4)}
    assert body["b"] == {"id": warm.pk, "name": "Warm alumni note", "used": 10, "replies": 7, "rate": 0.7}
    assert body["p_value"] == round(expected_p, 4)
    assert body["verdict"] == "different"
    assert body["sentence"] == (
        "“Warm alumni note” gets replies more often (7 of 10 vs 2 of 12); "
        "that difference is unlikely to be chance (p = 0.03)."
    )


def test_too_few_says_how_many_more_asks(user, api_client, templates):
    warm, cold = templates
    for i in range(4):
        ask(user, warm, replied=i < 2)
        ask(user, cold, replied=i < 1)
    # Rates 1/2 and 1/4. By hand: mean 0.375; 1.959964 * sqrt(2 * 0.375 * 0.625) = 1.341895;
    # 0.841621 * sqrt(0.25 + 0.1875) = 0.556682; (1.898577)^2 / 0.25^2 = 57.67 -> 58 asks each,
    # of which 4 each were sent: 54 + 54 = 108 more.
    n = (1.959964 * math.sqrt(0.46875) + 0.841621 * math.sqrt(0.4375)) ** 2 / 0.0625
    assert 57 < n < 58
    body = _compare(api_client, warm, cold).json()
    assert body["verdict"] == "too_few"
    assert body["more_asks_needed"] == 108
    assert body["p_value"] == 1.0
    assert body["sentence"] == "Too few to tell yet (need about 108 more asks): 2 of 4 vs 1 of 4 (p = 1.00)."


def test_no_replies_or_no_asks_cannot_be_estimated(user, api_client, templates):
    warm, cold = templates
    body = _compare(api_client, warm, cold).json()
    assert body["verdict"] == "too_few" and body["p_value"] is None and body["more_asks_needed"] is None
    assert "has not been used in the last 90 days" in body["sentence"]
    ask(user, warm)
    ask(user, cold)
    ask(user, cold)
    body = _compare(api_client, warm, cold).json()
    assert body["verdict"] == "too_few" and body["more_asks_needed"] is None
    assert body["sentence"].startswith("Too few to tell yet: neither template has had a reply (0 of 1 vs 0 of 2)")


def test_equal_rates_are_no_clear_difference(user, api_client, templates):
    warm, cold = templates
    for i in range(2):
        ask(user, warm, replied=i < 1)
    for i in range(4):
        ask(user, cold, replied=i < 2)
    body = _compare(api_client, warm, cold).json()
    assert body["verdict"] == "no_difference" and body["more_asks_needed"] is None
    assert body["sentence"].startswith("No clear difference yet: both get replies at the same rate so far")


def test_compare_refuses_bad_input_and_another_users_template(api_client, other_user, templates):
    warm, cold = templates
    with time_machine.travel(aware(2025, 10, 1), tick=False):
        theirs = template_create(owner=other_user, name="Theirs", kind="coffee_chat", body="Hi")
    assert _compare(api_client, warm, theirs).status_code == 404
    assert _compare(api_client, theirs, warm).status_code == 404
    same = _compare(api_client, warm, warm)
    assert same.status_code == 400 and "two different templates" in str(same.json())
    assert api_client.get("/api/v1/templates/compare/", {"a": warm.pk}).status_code == 400


def test_templates_page_compare_ignores_another_users_template(client, user, other_user, templates):
    warm, _ = templates
    with time_machine.travel(aware(2025, 10, 1), tick=False):
        theirs = template_create(owner=other_user, name="Mallory secret note", kind="coffee_chat", body="Hi")
    client.force_login(user)
    with time_machine.travel(NOW, tick=False):
        response = client.get("/templates/", {"a": warm.pk, "b": theirs.pk})
        same = client.get("/templates/", {"a": warm.pk, "b": warm.pk}).content.decode()
    page = response.content.decode()
    assert response.status_code == 200
    assert "Choose two of your templates." in page and "Mallory secret note" not in page
    assert "Choose two different templates to compare." in same
