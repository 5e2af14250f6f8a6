"""crm's answers to what the apps beneath it announce (contacts)."""

from django.dispatch import receiver

from contacts.signals import company_merging, contact_merging

from .services import contact_merge_notes_and_opportunities, opportunities_move_company


@receiver(contact_merging, dispatch_uid="crm.contact_merge_notes_and_opportunities")
def _merge_notes_and_opportunities(sender, keep, other, **kwargs):
    contact_merge_notes_and_opportunities(keep=keep, other=other)


@receiver(company_merging, dispatch_uid="crm.opportunities_move_company")
def _move_opportunities(sender, company, other, **kwargs):
    opportunities_move_company(company=company, other=other)
