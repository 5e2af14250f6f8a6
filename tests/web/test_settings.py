"""Settings: profile and reminders, the calendar feed URL, API tokens."""

import re

from django.urls import reverse

from accounts.selectors import api_token_list


def test_the_page_shows_the_profile_and_the_calendar_feed_url(web, user, settings):
    settings.SITE_URL = "https://cc.example.org"
    html = web.get(reverse("settings")).content.decode()
    assert f"https://cc.example.org/calendar/{user.profile.calendar_token}.ics" in html
    assert 'value="UTC" selected' in html


def test_saving_the_profile(web, user):
    response = web.post(
        reverse("settings"),
        {
            "timezone": "Europe/Berlin",
            "digest_hour": "7",
            "email_reminders": "on",
            "pathway": "internal_move",
            "weekly_request_goal": "5",
            "nudge_after_days": "5",
            "max_nudges": "1",
            "workweek": ["mon", "tue", "wed", "thu", "fri"],
            "routine": "calendar",
        },
    )
    assert response.status_code == 302
    user.profile.refresh_from_db()
    p = user.profile
    assert (p.timezone, p.digest_hour, p.email_reminders, p.daily_digest, p.pathway, p.weekly_request_goal) == (
        "Europe/Berlin",
        7,
        True,
        False,
        "internal_move",
        5,
    )


def test_bad_settings_show_errors_and_change_nothing(web, user):
    response = web.post(
        reverse("settings"),
        {
            "timezone": "Mars/Olympus",
            "digest_hour": "25",
            "pathway": "internal_move",
            "weekly_request_goal": "-1",
            "nudge_after_days": "0",
            "max_nudges": "1",
            "workweek": ["mon", "tue", "wed", "thu", "fri"],
            "routine": "calendar",
        },
    )
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {
        "timezone",
        "digest_hour",
        "weekly_request_goal",
        "nudge_after_days",
    }
    user.profile.refresh_from_db()
    assert user.profile.timezone == "UTC" and user.profile.pathway == "build_experience"


def test_rotating_the_calendar_token_changes_the_url(web, user):
    old = user.profile.calendar_token
    response = web.post(reverse("settings_calendar_rotate"))
    assert response.status_code == 302
    user.profile.refresh_from_db()
    assert user.profile.calendar_token != old
    assert old not in web.get(reverse("settings")).content.decode()


def test_rotating_needs_a_post(web):
    assert web.get(reverse("settings_calendar_rotate")).status_code == 405


def test_creating_a_token_shows_it_once_and_it_works_on_the_api(web, user):
    from rest_framework.test import APIClient

    response = web.post(reverse("settings_token_create"), follow=True)
    assert response.redirect_chain == [(reverse("settings") + "#tokens", 302)]
    key = re.search(r'id="new-token" readonly value="([^"]+)"', response.content.decode()).group(1)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/me/").status_code == 200
    # Reloading the page neither shows the secret again nor makes another token.
    html = web.get(reverse("settings")).content.decode()
    assert key not in html and key[:8] in html
    assert api_token_list(user=user).count() == 1


def test_revoking_a_token_stops_it_working(web, user):
    from rest_framework.test import APIClient

    created = web.post(reverse("settings_token_create"), follow=True).content.decode()
    key = re.search(r'id="new-token" readonly value="([^"]+)"', created).group(1)
    token = api_token_list(user=user).get()
    assert web.post(reverse("settings_token_revoke"), {"token": token.token_key}).status_code == 302
    assert api_token_list(user=user).count() == 0
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/me/").status_code == 401


def test_token_pages_need_a_post(web):
    assert web.get(reverse("settings_token_create")).status_code == 405
    assert web.get(reverse("settings_token_revoke")).status_code == 405


def test_settings_page_sets_the_users_name(client, user):
    client.force_login(user)
    form = {
        "first_name": "Sam", "last_name": "Rivera", "timezone": "America/Toronto", "digest_hour": "7",
        "email_reminders": "on", "daily_digest": "on", "pathway": "internal_move",
        "weekly_request_goal": "4", "nudge_after_days": "5", "max_nudges": "2",
        "workweek": ["mon", "tue", "wed", "thu", "fri"], "routine": "calendar",
    }  # fmt: skip
    response = client.post("/settings/", form)
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.first_name, user.last_name, user.profile.timezone) == ("Sam", "Rivera", "America/Toronto")


def test_the_settings_form_edits_exactly_the_declared_profile_settings_and_the_name():
    from accounts.models import Profile
    from accounts.services import NAME_FIELDS
    from crm.forms import ProfileForm

    assert set(ProfileForm().fields) == {*NAME_FIELDS, *Profile.SETTINGS}
