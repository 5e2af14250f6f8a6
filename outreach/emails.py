"""Reminder emails: plain text and HTML, one per Reminder kind."""


def build_reminder_email(reminder):
    raise NotImplementedError
