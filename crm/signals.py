"""crm's answers to what the apps beneath it announce (contacts)."""

from django.dispatch import receiver

from contacts.signals import company_merging

from .services import opportunities_move_company


@receiver(company_merging, dispatch_uid="crm.opportunities_move_company")
def _move_opportunities(sender, company, other, **kwargs):
    opportunities_move_company(company=company, other=other)
