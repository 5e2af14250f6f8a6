"""Signals other apps listen to; contacts depends on no other app, so it announces instead of calling."""

from django.dispatch import Signal

#: Sent inside contact_update's transaction when the reconnect cadence or archived flag changed.
#: Arguments: contact, changed (a set of field names).
contact_cadence_changed = Signal()
