"""Signals other apps listen to; contacts depends on no other app, so it announces instead of calling."""

from django.dispatch import Signal

#: Sent inside contact_update's transaction when the reconnect cadence or archived flag changed.
#: Arguments: contact, changed (a set of field names).
contact_cadence_changed = Signal()

#: Sent inside contact_merge's transaction, after contacts moved its own rows (tags, job
#: changes, referrals) and filled `keep`'s empty fields, and before `other` is deleted. Each
#: app above moves its rows that point at `other` onto `keep` (outreach: conversations,
#: follow-ups, touches; crm: notes, opportunities). contact_merge then checks that nothing
#: points at `other` any more, so a model no receiver moves stops the merge instead of being
#: deleted with it. Arguments: keep, other (both Contact, same owner, rows locked).
contact_merging = Signal()

#: Sent inside contact_delete's transaction just before the contact is deleted, so apps above
#: can tidy what the database cascade does not (e.g. a touch left with no one).
#: Arguments: contact.
contact_deleting = Signal()

#: Sent inside company_merge's transaction before `other` is deleted: apps above move their
#: rows that point at `other` onto `company`. Arguments: company, other.
company_merging = Signal()
