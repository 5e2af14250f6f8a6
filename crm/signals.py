"""crm's answers to what the apps beneath it announce."""

from django.dispatch import receiver

from contacts.signals import contact_merging

from .services import contact_merge_notes_and_opportunities


@receiver(contact_merging, dispatch_uid="crm.contact_merge_notes_and_opportunities")
def _merge_notes_and_opportunities(sender, keep, other, **kwargs):
    contact_merge_notes_and_opportunities(keep=keep, other=other)
