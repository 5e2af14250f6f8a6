"""Settings for capture (issue #13): your LinkedIn profile, and the private mail-in address
(shown, rotated on the page and through the API)."""

from django.urls import reverse

BASE = {
    "timezone": "UTC",
    "digest_hour": "8",
    "pathway": "internal_move",
    "weekly_request_goal": "3",
    "nudge_after_days": "7",
    "max_nudges": "2",
    "workweek": ["mon", "tue", "wed", "thu", "fri"],
    "routine": "calendar",
}


def test_settings_saves_your_linkedin_profile(web, user):
    response = web.post(reverse("settings"), {**BASE, "linkedin_url": "https://www.linkedin.com/in/ada-lovelace/"})
    assert response.status_code == 302
    user.profile.refresh_from_db()
    assert user.profile.linkedin_url == "https://www.linkedin.com/in/ada-lovelace/"


def test_settings_refuses_a_profile_url_of_another_site(web, user):
    response = web.post(reverse("settings"), {**BASE, "linkedin_url": "https://example.com/ada"})
    assert response.status_code == 400
    assert "LinkedIn profile URL" in response.content.decode()
    user.profile.refresh_from_db()
    assert user.profile.linkedin_url == ""


def test_the_page_shows_the_mail_in_address_and_rotating_it_makes_a_new_one(web, user, settings):
    settings.MAIL_IN_DOMAIN = "in.cc.example.org"
    old = user.profile.mail_in_address
    assert old.startswith("in+") and old.endswith("@in.cc.example.org")
    assert old in web.get(reverse("settings")).content.decode()
    response = web.post(reverse("settings_mail_in_rotate"))
    assert response.status_code == 302 and response["Location"].endswith("#mail-in")
    user.profile.refresh_from_db()
    assert user.profile.mail_in_address != old
    page = web.get(reverse("settings")).content.decode()
    assert user.profile.mail_in_address in page and old not in page


def test_rotating_the_mail_in_address_needs_a_post(web):
    assert web.get(reverse("settings_mail_in_rotate")).status_code == 405


def test_the_api_shows_and_rotates_the_mail_in_address(api_client, user):
    shown = api_client.get("/api/v1/me/").json()["mail_in_address"]
    assert shown == user.profile.mail_in_address
    rotated = api_client.post("/api/v1/me/mail-in-token/").json()["mail_in_address"]
    user.profile.refresh_from_db()
    assert rotated == user.profile.mail_in_address != shown
    assert api_client.patch("/api/v1/me/", {"mail_in_address": "in+mine@x"}, format="json").status_code == 200
    user.profile.refresh_from_db()
    assert user.profile.mail_in_address == rotated
