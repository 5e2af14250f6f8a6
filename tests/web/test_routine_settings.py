"""Issue #14: the workweek and the follow-up routine are settings (Profile.SETTINGS): in the
API's /me/ (the workweek as day names), on the Settings page (seven labelled checkboxes and a
select) and in the backup."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

PAGE_FORM = {
    "timezone": "UTC",
    "digest_hour": "8",
    "pathway": "internal_move",
    "weekly_request_goal": "3",
    "nudge_after_days": "7",
    "max_nudges": "2",
    "routine": "calendar",
}


def test_me_shows_the_default_workweek_and_routine(api_client):
    body = api_client.get("/api/v1/me/").json()
    assert body["workweek"] == ["mon", "tue", "wed", "thu", "fri"]
    assert body["routine"] == "calendar"


def test_me_takes_day_names_in_any_order_and_stores_them_in_week_order(user, api_client):
    response = api_client.patch("/api/v1/me/", {"workweek": ["thu", "sun", "mon"], "routine": "3b7"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["workweek"] == ["mon", "thu", "sun"]
    user.profile.refresh_from_db()
    assert (user.profile.workweek, user.profile.routine) == ("mon,thu,sun", "3b7")


@pytest.mark.parametrize(
    ("workweek", "message"),
    [
        (["mon", "funday"], "Unknown day “funday”"),
        ([], "Choose at least one working day."),
        (["mon", "tue", "mon"], "Each day may appear once."),
        ("mon,tue", "Expected a list"),
        (["mon,tue"], "Unknown day “mon,tue”"),
    ],
)
def test_me_refuses_a_bad_workweek_with_a_clear_message(user, api_client, workweek, message):
    response = api_client.patch("/api/v1/me/", {"workweek": workweek}, format="json")
    assert response.status_code == 400
    assert message in str(response.json()["workweek"])
    user.profile.refresh_from_db()
    assert user.profile.workweek == "mon,tue,wed,thu,fri"


def test_me_refuses_an_unknown_routine(api_client):
    response = api_client.patch("/api/v1/me/", {"routine": "weekly"}, format="json")
    assert response.status_code == 400 and "routine" in response.json()


def test_the_settings_page_has_seven_labelled_day_checkboxes_in_a_fieldset_and_the_routine(web):
    html = web.get(reverse("settings")).content.decode()
    (fieldset,) = [part.split("</fieldset>")[0] for part in html.split("<fieldset")[1:] if "My working days" in part]
    assert "<legend" in fieldset and "My working days" in fieldset
    assert fieldset.count('type="checkbox"') == 7 and fieldset.count("checked") == 5
    for day in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"):
        assert f"{day}</label>" in fieldset
    assert '<select name="routine"' in html and "3B7 (business days)" in html
    assert "after 7, nudge once" in html


def test_the_settings_page_saves_a_custom_workweek_and_the_routine(web, user):
    response = web.post(reverse("settings"), {**PAGE_FORM, "workweek": ["sun", "mon", "tue", "wed", "thu"]})
    assert response.status_code == 302
    response = web.post(
        reverse("settings"), {**PAGE_FORM, "routine": "3b7", "workweek": ["sun", "mon", "tue", "wed", "thu"]}
    )
    assert response.status_code == 302
    user.profile.refresh_from_db()
    assert (user.profile.workweek, user.profile.routine) == ("mon,tue,wed,thu,sun", "3b7")


def test_the_settings_page_refuses_no_working_day(web, user):
    response = web.post(reverse("settings"), PAGE_FORM)
    assert response.status_code == 400
    assert response.context["form"].errors["workweek"] == ["Choose at least one working day."]
    assert "Choose at least one working day." in response.content.decode()
    response = web.post(reverse("settings"), {**PAGE_FORM, "workweek": ["mon", "someday"]})
    assert response.status_code == 400 and "workweek" in response.context["form"].errors


def test_the_backup_keeps_and_restores_the_workweek_and_routine(user, api_client):
    api_client.patch("/api/v1/me/", {"workweek": ["mon", "wed"], "routine": "3b7"}, format="json")
    backup = api_client.get("/api/v1/export/backup.json").json()
    assert (backup["profile"]["workweek"], backup["profile"]["routine"]) == ("mon,wed", "3b7")
