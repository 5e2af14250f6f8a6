"""Deleting an account leaves no row of it anywhere, and takes nothing of anyone else's.

The checks are generated from the model registry: every model with a key to the user (an
owner, a user, a profile, a token, the admin log, the auth join tables) and every model
with a key to one of those rows. A model added later is covered without touching this file,
and the seed must give it a row or test_the_seed_has_a_row_of_every_model_that_names_a_user
fails.
"""

from importlib import import_module

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.test import Client

from accounts.services import account_delete
from contacts.models import Contact, ImportJob
from tests.api.conftest import seed_account

PROJECT_APPS = ("accounts", "contacts", "outreach", "crm")


def all_models():
    return apps.get_models(include_auto_created=True)


def user_keys(model) -> list[models.Field]:
    """The fields of `model` that name a user: a key to the user model, or a bare owner_id/user_id."""
    User = get_user_model()
    return [
        field
        for field in model._meta.concrete_fields
        if (field.is_relation and field.related_model is User)
        or (not field.is_relation and field.attname in ("owner_id", "user_id"))
    ]


def models_naming_a_user():
    return [model for model in all_models() if user_keys(model) and model is not get_user_model()]


def rows_of(model, user_id: int):
    query = models.Q()
    for field in user_keys(model):
        query |= models.Q(**{field.attname: user_id})
    return model.objects.filter(query)


def footprint(user_id: int) -> dict[str, set]:
    """{model label: ids} of every row that names the user, and of every row keyed to one of those."""
    direct = {model: set(rows_of(model, user_id).values_list("pk", flat=True)) for model in models_naming_a_user()}
    found = {model._meta.label: ids for model, ids in direct.items()}
    for model in all_models():
        for field in model._meta.concrete_fields:
            if field.is_relation and field.related_model in direct and direct[field.related_model]:
                ids = model.objects.filter(**{f"{field.name}__in": direct[field.related_model]})
                found.setdefault(model._meta.label, set()).update(ids.values_list("pk", flat=True))
    return found


def session_user_ids() -> list[str]:
    store = import_module(settings.SESSION_ENGINE).SessionStore
    decoder = store()
    return [
        str(decoder.decode(data).get(SESSION_KEY))
        for data in store.get_model_class().objects.values_list("session_data", flat=True)
    ]


def seed_everything(user, marker: str) -> None:
    """One row (at least) of every model, in every app, that belongs to `user`."""
    seed_account(user, marker=marker)  # contacts, companies, tags, events, the pipeline, reminders, notes, a token
    ImportJob.objects.create(owner=user, kind="csv", filename=f"{marker}.csv", content=b"first_name\nAda\n")
    Client().force_login(user)  # a stored session
    group, _ = Group.objects.get_or_create(name="testers")
    user.groups.add(group)
    user.user_permissions.add(Permission.objects.get(codename="view_contact"))
    LogEntry.objects.create(
        user=user,
        content_type=ContentType.objects.get_for_model(Contact),
        object_id="1",
        object_repr=marker,
        action_flag=ADDITION,
    )


@pytest.fixture
def world(user, other_user):
    seed_everything(user, "Gone")
    seed_everything(other_user, "Kept")
    return user, other_user


def test_every_key_to_a_user_cascades():
    """Deleting the user row is what deletes the account's rows: none may be set null or protected."""
    User = get_user_model()
    for model in all_models():
        for field in model._meta.concrete_fields:
            if field.is_relation and field.related_model is User:
                assert field.remote_field.on_delete is models.CASCADE, f"{model._meta.label}.{field.name}"


def test_no_key_between_the_apps_rows_blocks_a_delete():
    for model in all_models():
        if model._meta.app_label not in PROJECT_APPS:
            continue
        for field in model._meta.concrete_fields:
            if field.is_relation:
                assert field.remote_field.on_delete not in (models.PROTECT, models.RESTRICT), (
                    f"{model._meta.label}.{field.name}"
                )


def test_the_seed_has_a_row_of_every_model_that_names_a_user(world):
    user, _ = world
    missing = [model._meta.label for model in models_naming_a_user() if not rows_of(model, user.pk).exists()]
    assert missing == [], f"add a row of each to seed_everything: {missing}"
    assert str(user.pk) in session_user_ids()


def test_deleting_an_account_leaves_no_row_that_references_it(world):
    user, other = world
    user_id = user.pk
    before = footprint(user_id)
    assert before["outreach.StageChange"] and before["contacts.Contact_tags"]  # the walk reaches second-level rows

    account_delete(user=user)

    assert not get_user_model().objects.filter(pk=user_id).exists()
    for label, ids in before.items():
        model = apps.get_model(label)
        assert not model.objects.filter(pk__in=ids).exists(), label
    for model in models_naming_a_user():
        assert not rows_of(model, user_id).exists(), model._meta.label
    assert str(user_id) not in session_user_ids()


def test_deleting_an_account_leaves_another_accounts_rows_as_they_were(world):
    user, other = world
    kept = footprint(other.pk)
    sessions = session_user_ids().count(str(other.pk))

    account_delete(user=user)

    assert footprint(other.pk) == kept
    assert session_user_ids().count(str(other.pk)) == sessions
    assert Group.objects.filter(name="testers").exists()  # shared rows stay; only the membership goes
    other.refresh_from_db()
    assert other.check_password("correct horse battery staple")
