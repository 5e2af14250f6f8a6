"""Background work for accounts: the password-reset e-mail, sent outside the request."""

from celery import shared_task

from . import idempotency, services


@shared_task(autoretry_for=(OSError,), retry_backoff=30, retry_backoff_max=600, max_retries=4, ignore_result=True)
def send_password_reset(email: str) -> None:
    """Mail a reset link to the accounts using `email`, or do nothing when none does.

    Retried with back-off when the mail server is unreachable or refuses (smtplib's errors are
    OSErrors). Safe to run twice: a second run mails another link; each link works once, and
    all of them stop working as soon as the password is changed.
    """
    services.password_reset_send(email=email)


@shared_task(ignore_result=True)
def prune_idempotency_keys() -> int:
    """Delete idempotency keys past their 24 hours (beat runs it hourly).

    Safe to run twice or at once: each run deletes what is expired by then; a key being reused
    at that moment is taken over, not lost (accounts.idempotency.idempotency_key_reserve).
    """
    return idempotency.idempotency_keys_prune()
