"""`?cursor=` on the contacts list (#12): a keyset walk beside page numbers, same items."""

import pytest

from contacts.services import contact_create

URL = "/api/v1/contacts/"


@pytest.fixture
def thirty(user):
    # Shared first and last names, so the walk must order by (first_name, last_name, id).
    return [contact_create(owner=user, first_name=f"F{n % 4}", last_name=f"L{n % 3}") for n in range(30)]


def walk(client, params, limit=50):
    """Follow `next` from the first cursor page; returns the pages' JSON."""
    pages = [client.get(URL, {"cursor": "", **params}).json()]
    while pages[-1]["next"] and len(pages) < limit:
        pages.append(client.get(pages[-1]["next"]).json())
    return pages


def test_a_cursor_walks_every_contact_once_in_the_default_order_with_the_same_items(api_client, thirty):
    by_page_number = api_client.get(URL, {"page_size": 100}).json()
    pages = walk(api_client, {"page_size": 7})
    assert [len(page["results"]) for page in pages] == [7, 7, 7, 7, 2]
    assert [row for page in pages for row in page["results"]] == by_page_number["results"]
    assert all("count" not in page for page in pages)
    assert pages[0]["previous"] is None and pages[-1]["next"] is None


def test_previous_walks_back_over_the_same_pages(api_client, thirty):
    pages = walk(api_client, {"page_size": 7})
    back = [pages[-1]]
    while back[-1]["previous"]:
        back.append(api_client.get(back[-1]["previous"]).json())
    assert [page["results"] for page in reversed(back)] == [page["results"] for page in pages]


def test_rows_inserted_and_deleted_during_a_walk_neither_repeat_nor_hide_the_others(user, api_client, thirty):
    original = {contact.pk for contact in thirty}
    first = api_client.get(URL, {"cursor": "", "page_size": 5}).json()
    seen = [row["id"] for row in first["results"]]
    edge = first["results"][-1]
    # Before the position, at it (same names as the page's last row), and after it.
    contact_create(owner=user, first_name="A-before")
    contact_create(owner=user, first_name=edge["first_name"], last_name=edge["last_name"])
    contact_create(owner=user, first_name="Z-after")
    page = first
    while page["next"]:
        page = api_client.get(page["next"]).json()
        seen += [row["id"] for row in page["results"]]
        if len(seen) == 15:  # a row not yet reached disappears
            not_yet = next(c for c in thirty if c.pk not in seen)
            original.discard(not_yet.pk)
            not_yet.delete()
    assert len(seen) == len(set(seen))
    assert original <= set(seen)
    assert "A-before" not in {row["first_name"] for row in first["results"]}


def test_a_cursor_shows_only_your_own_contacts(user, other_user, api_client, other_api_client, thirty):
    theirs = {contact_create(owner=other_user, first_name=f"F{n}").pk for n in range(3)}
    seen = {row["id"] for page in walk(api_client, {"page_size": 4}) for row in page["results"]}
    assert seen == {c.pk for c in thirty}
    # Their walk, even from a cursor made on your list, sees only theirs.
    mine = api_client.get(URL, {"cursor": "", "page_size": 4}).json()
    theirs_seen = {row["id"] for row in other_api_client.get(mine["next"]).json()["results"]}
    assert theirs_seen <= theirs


def test_a_cursor_can_be_combined_with_filters(user, api_client, thirty):
    pages = walk(api_client, {"page_size": 3, "search": "F1"})
    assert sorted(row["id"] for page in pages for row in page["results"]) == sorted(
        c.pk for c in thirty if c.first_name == "F1"
    )


def test_a_bad_cursor_is_404_and_a_cursor_with_another_order_is_400(api_client, thirty):
    assert api_client.get(URL, {"cursor": "not-a-cursor"}).status_code == 404
    response = api_client.get(URL, {"cursor": "", "ordering": "created_at"})
    assert response.status_code == 400
    assert "ordering" in response.json()


def test_page_numbers_stay_the_default(api_client, thirty):
    body = api_client.get(URL, {"page_size": 10, "page": 2}).json()
    assert (body["count"], len(body["results"])) == (30, 10)
    assert body["next"].endswith("page=3&page_size=10") or "page=3" in body["next"]


def test_the_schema_documents_the_cursor(api_client):
    schema = api_client.get("/api/v1/schema/", {"format": "json"}).json()
    params = {p["name"] for p in schema["paths"]["/api/v1/contacts/"]["get"]["parameters"]}
    assert {"cursor", "page", "page_size"} <= params
