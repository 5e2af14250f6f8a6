"""Outreach's answers to what the apps beneath it announce (accounts, contacts)."""

from django.dispatch import receiver

from accounts.models import Profile
from accounts.signals import account_created, profile_changed
from contacts.signals import contact_cadence_changed, contact_deleting, contact_merging

from . import reminders
from .services import (
    contact_merge_pipeline,
    nudges_replan,
    reconnect_follow_up_sync,
    touches_of_contact_only_delete,
)
from .starter_questions import questions_seed_starter
from .starter_templates import templates_seed_starter


@receiver(account_created, dispatch_uid="outreach.templates_seed_starter")
def _seed_starter_templates(sender, user, **kwargs):
    templates_seed_starter(owner=user)


@receiver(account_created, dispatch_uid="outreach.questions_seed_starter")
def _seed_starter_questions(sender, user, **kwargs):
    questions_seed_starter(owner=user)


@receiver(profile_changed, dispatch_uid="outreach.reminders_profile_changed")
def _replan_reminders(sender, user, changed, **kwargs):
    if changed & {"routine", "workweek"}:
        nudges_replan(user=user)  # before the reminders, which then arm the nudges' new times
    if changed & set(Profile.TIMING_SETTINGS):
        reminders.profile_changed(user)


@receiver(contact_cadence_changed, dispatch_uid="outreach.reconnect_follow_up_sync")
def _sync_reconnect(sender, contact, **kwargs):
    reconnect_follow_up_sync(contact=contact)


@receiver(contact_merging, dispatch_uid="outreach.contact_merge_pipeline")
def _merge_pipeline(sender, keep, other, **kwargs):
    contact_merge_pipeline(keep=keep, other=other)


@receiver(contact_deleting, dispatch_uid="outreach.touches_of_contact_only_delete")
def _delete_sole_touches(sender, contact, **kwargs):
    touches_of_contact_only_delete(contact=contact)
