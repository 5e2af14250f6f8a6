"""Job changes found by LinkedIn re-imports: a reason to reach out. Reads for the API and Today.

Writes (acknowledging one) are in services.job_change_acknowledge.
"""

from contacts.models import ContactEvent


def job_changes_for(owner, *, acknowledged: bool | None = None):
    """The owner's job-change events, newest first, with their contact loaded."""
    events = ContactEvent.objects.filter(owner=owner, kind=ContactEvent.Kind.JOB_CHANGE).select_related("contact")
    if acknowledged is not None:
        events = events.filter(acknowledged=acknowledged)
    return events


def job_change_suggestion(event: ContactEvent) -> str:
    """The reason to reach out, in words: "Priya moved to Cohere — congratulate them …"."""
    first = event.contact.first_name
    if event.new_company and event.previous_company.lower() != event.new_company.lower():
        return f"{first} moved to {event.new_company} — congratulate them and ask how the new role is going."
    return f"{first} is now {event.new_title} — send a note of congratulations."
