"""Two requests of one account that name the same new tag at the same moment both succeed and
share one tag. Found by the soak (docs/reliability.md): two clients of one account tagging
contacts at once got "This conflicts with one of your existing records"."""

import pytest

from contacts.models import Tag, text_key
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def concurrent_tagger(monkeypatch):
    """Another request creates the same tag between this request's lookup and its insert."""
    full_clean = Tag.full_clean

    def full_clean_then_lose_the_race(self, *args, **kwargs):
        full_clean(self, *args, **kwargs)
        if self.pk is None and not Tag.objects.filter(owner=self.owner, name_key=text_key(self.name)).exists():
            Tag.objects.create(owner=self.owner, name=self.name.upper())

    monkeypatch.setattr(Tag, "full_clean", full_clean_then_lose_the_race)


def test_tagging_a_contact_with_a_tag_another_request_just_created_uses_that_tag(api_client, user, concurrent_tagger):
    contact = ContactFactory(owner=user)
    response = api_client.patch(f"/api/v1/contacts/{contact.pk}/", {"tags": ["Product Ops"]}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["tags"] == ["PRODUCT OPS"]
    assert list(Tag.objects.filter(owner=user).values_list("name", flat=True)) == ["PRODUCT OPS"]


def test_a_new_contact_with_a_tag_another_request_just_created_is_saved_with_it(api_client, user, concurrent_tagger):
    response = api_client.post("/api/v1/contacts/", {"first_name": "Ana", "tags": ["mentor", "pm"]}, format="json")
    assert response.status_code == 201, response.content
    assert sorted(response.json()["tags"]) == ["MENTOR", "PM"]
    assert Tag.objects.filter(owner=user).count() == 2
