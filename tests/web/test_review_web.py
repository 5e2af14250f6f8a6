"""Defects a new user hit doing the morning routine: each test failed before its fix."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from accounts.services import profile_update
from tests.factories import CompanyFactory, ContactFactory

User = get_user_model()


# --- A logged-out htmx request sends the whole tab to the log-in page ---------------------------


def test_a_logged_out_htmx_action_redirects_the_whole_tab_to_log_in_and_back(client, db, follow_up):
    # The session expired (or the user logged out in another tab) and they click "✓ Done" on Today:
    # a plain 302 would be followed by htmx and the log-in page swapped into the follow-up's row.
    response = client.post(
        reverse("follow_up_complete", args=[follow_up.pk]),
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL="http://testserver/follow-ups/?due=week",
    )
    assert response.status_code == 200
    assert response["HX-Redirect"] == f"{reverse('login')}?next=/follow-ups/%3Fdue%3Dweek"
    assert response.content == b""
    follow_up.refresh_from_db()
    assert follow_up.status == "open"


def test_a_logged_out_search_as_you_type_redirects_the_tab_not_the_results(client, db):
    response = client.get(
        reverse("contact_list"), {"q": "pri"}, HTTP_HX_REQUEST="true", HTTP_HX_CURRENT_URL="http://testserver/contacts/"
    )
    assert response["HX-Redirect"] == f"{reverse('login')}?next=/contacts/"


def test_a_logged_out_import_upload_redirects_the_tab_not_the_outcome(client, db):
    response = client.post(
        reverse("import"), {"kind": "linkedin"}, HTTP_HX_REQUEST="true", HTTP_HX_CURRENT_URL="http://testserver/import/"
    )
    assert response["HX-Redirect"] == f"{reverse('login')}?next=/import/"


def test_a_logged_out_plain_request_still_gets_the_ordinary_redirect(client, db):
    response = client.get(reverse("contact_list"), {"q": "pri"})
    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next=/contacts/%3Fq%3Dpri"


# --- The contact list: one URL, a fragment or a page -------------------------------------------


def test_the_contact_list_varies_on_hx_request_so_back_never_shows_a_bare_fragment(web, contact):
    # Filters push their URL; after leaving the page, Back asked the browser cache for that URL and
    # got the unstyled results fragment, because the response did not say it varies on HX-Request.
    for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
        response = web.get(reverse("contact_list"), {"q": "pri"}, **headers)
        assert "HX-Request" in response["Vary"]


def test_the_contact_list_is_not_kept_in_htmxs_history_cache(web, contact):
    # Back re-fetches the page (filters and results agree) and no contact list sits in localStorage.
    assert 'hx-history="false"' in web.get(reverse("contact_list")).content.decode()


@pytest.mark.parametrize("param", ["company", "tag"])
def test_an_out_of_range_filter_id_is_ignored_not_a_500(web, user, contact, param):
    ContactFactory(owner=user, first_name="Zed", company=CompanyFactory(owner=user, name="Figma"))
    response = web.get(reverse("contact_list"), {param: "99999999999999999999999"})
    assert response.status_code == 200
    assert "2 contacts" in response.content.decode()


# --- Scheduling a date whose instant does not exist ---------------------------------------------


def test_scheduling_at_the_end_of_year_9999_behind_utc_is_a_form_error_not_a_500(web, user, requested):
    profile_update(profile=user.profile, timezone="America/Toronto")
    response = web.post(
        reverse("conversation_move", args=[requested.pk]),
        {
            "stage": "scheduled",
            "date": "9999-12-31",
            "time": "23:30",
            "location": "Zoom",
        },
    )
    assert response.status_code == 400
    assert "too far in the past or the future" in response.context["form"].errors["date"][0]
    requested.refresh_from_db()
    assert requested.stage == "requested"


def test_scheduling_at_the_start_of_year_1_ahead_of_utc_is_a_form_error_not_a_500(web, user, requested):
    profile_update(profile=user.profile, timezone="Asia/Kolkata")
    response = web.post(
        reverse("conversation_move", args=[requested.pk]),
        {
            "stage": "scheduled",
            "date": "0001-01-01",
            "time": "00:10",
        },
    )
    assert response.status_code == 400
    requested.refresh_from_db()
    assert requested.stage == "requested"


# --- Sign-up takes the browser's time zone ------------------------------------------------------


@pytest.mark.django_db
def test_sign_up_keeps_the_time_zone_the_browser_reported():
    client = Client()
    response = client.post(
        reverse("signup"),
        {
            "username": "kenji",
            "email": "kenji@example.com",
            "password": "a long pass phrase",
            "timezone": "Asia/Tokyo",
        },
        follow=True,
    )
    assert User.objects.get(username="kenji").profile.timezone == "Asia/Tokyo"
    assert "Asia/Tokyo" in response.content.decode()  # the welcome says which clock times are on


@pytest.mark.django_db
@pytest.mark.parametrize("reported", ["", "Mars/Olympus_Mons"])
def test_sign_up_without_a_usable_time_zone_falls_back_to_utc(reported):
    client = Client()
    response = client.post(
        reverse("signup"),
        {
            "username": "kenji",
            "email": "kenji@example.com",
            "password": "a long pass phrase",
            "timezone": reported,
        },
    )
    assert response.status_code == 302
    assert User.objects.get(username="kenji").profile.timezone == "UTC"


@pytest.mark.django_db
def test_the_sign_up_form_carries_the_hidden_time_zone_field(client):
    html = client.get(reverse("signup")).content.decode()
    assert 'name="timezone"' in html and "data-browser-timezone" in html


# --- htmx swaps only what is meant to be swapped ------------------------------------------------


def test_htmx_is_told_to_swap_only_2xx_and_400_answers(web):
    # A 403 (stale CSRF token after logging in again elsewhere) or a 404 page used to be swapped
    # into a follow-up's row; now app.js reports the failure instead.
    html = web.get(reverse("today")).content.decode()
    assert '{"code": "4..", "swap": true' not in html
    assert '{"code": "400", "swap": true, "error": false}' in html


def test_pages_declare_their_icon_so_browsers_stop_asking_for_a_missing_favicon(web):
    # Every page view also logged "GET /favicon.ico 404" (and a console error in the browser).
    assert '<link rel="icon"' in web.get(reverse("today")).content.decode()


# --- Empty states say what is going on ----------------------------------------------------------


def test_a_new_account_is_told_it_has_no_contacts_yet_and_how_to_add_them(web):
    html = web.get(reverse("contact_list")).content.decode()
    assert "No contacts yet." in html and reverse("import") in html
    assert "No contacts match" not in html


def test_filters_that_match_nobody_offer_a_way_back_to_everyone(web, user, contact):
    company = CompanyFactory(owner=user, name="Figma")
    html = web.get(reverse("contact_list"), {"company": company.pk}, HTTP_HX_REQUEST="true").content.decode()
    assert "No contacts match." in html
    assert f'href="{reverse("contact_list")}">Show all contacts' in html
    assert "import your LinkedIn connections" not in html
