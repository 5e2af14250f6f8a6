"""The API's ownership mixin holds even when a viewset gets its selector wrong, and refuses
viewsets that would look rows up their own way."""

import pytest
from rest_framework.test import APIRequestFactory, force_authenticate

from config.ownership import OwnedModelViewSet, OwnedReadOnlyViewSet
from contacts.models import Contact
from contacts.serializers import ContactSerializer
from tests.factories import ContactFactory


def _every_contact(*, user):
    return Contact.objects.all()  # the bug under test: a selector that forgot to scope


class CarelessContactViewSet(OwnedReadOnlyViewSet):
    selector = _every_contact
    serializer_class = ContactSerializer


def _call(user, action, **kwargs):
    request = APIRequestFactory().get("/")
    force_authenticate(request, user)
    view = CarelessContactViewSet.as_view({"get": action})
    return view(request, **kwargs)


def test_a_selector_that_forgot_to_scope_still_lists_only_the_users_rows(user, other_user):
    mine = ContactFactory(owner=other_user)
    ContactFactory(owner=user)
    response = _call(other_user, "list")
    assert response.status_code == 200
    assert [row["id"] for row in response.data["results"]] == [mine.pk]


def test_a_selector_that_forgot_to_scope_still_answers_404_for_another_users_row(user, other_user):
    theirs = ContactFactory(owner=user)
    assert _call(other_user, "retrieve", pk=theirs.pk).status_code == 404


@pytest.mark.parametrize("method", ["get_queryset", "get_object"])
def test_a_viewset_that_looks_rows_up_its_own_way_is_refused_when_defined(method):
    with pytest.raises(TypeError, match=method):
        type("SneakyViewSet", (OwnedModelViewSet,), {method: lambda self: None})
