"""Writes that run once: the stored outcome of a request, found again by its key.

The API's `Idempotency-Key` header and the dashboard forms' one-time tokens share this (see
config/idempotency.py for the HTTP side). The rows live in the database so every web process
agrees. The services here know nothing of HTTP: a response is a status, a few headers and bytes.

1. `idempotency_key_reserve` inserts the key's row, empty, in its own committed transaction.
   The unique (owner, scope, key) index makes exactly one request the owner; any other request
   with the key finds the row and waits for its outcome (or gives up with `KeyInProgress`).
2. The owner runs the write, then `idempotency_key_complete` stores its response in the same
   transaction as the write (the caller's), so the write and its recorded answer commit together,
   or `idempotency_key_release` deletes the row (a server error: the retry may run again).
3. `idempotency_keys_prune` deletes rows older than `IDEMPOTENCY_KEY_TTL`; a key older than
   that is new again.
"""

import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import IdempotencyKey

# How long a key replays its first answer (the contract: 24 hours).
IDEMPOTENCY_KEY_TTL = timedelta(hours=24)
# How often a request waiting for another with the same key looks again.
POLL_SECONDS = 0.05


class KeyInProgress(Exception):
    """Another request with this key is still running (it did not finish within the wait)."""


class KeyReused(Exception):
    """The key was first used for a different request (method, path or body)."""


@dataclass(frozen=True)
class Reservation:
    """This request owns the key: its row, as reserved (the reservation time identifies this run)."""

    pk: int
    reserved_at: datetime


def idempotency_key_reserve(
    *, owner, scope: str, key: str, request_hash: str = "", wait_seconds: float | None = None
) -> Reservation | IdempotencyKey:
    """Own `key`, or find the stored outcome of the first request that used it.

    Returns a `Reservation` when this request should run (the key is new, expired, or was
    abandoned by a request that never finished), or the completed `IdempotencyKey` to answer
    with. While the first request is still running, waits up to `wait_seconds`
    (IDEMPOTENCY_WAIT_SECONDS) for it, then raises `KeyInProgress`. With `request_hash`, a key
    first used for another request raises `KeyReused`.
    """
    if wait_seconds is None:
        wait_seconds = settings.IDEMPOTENCY_WAIT_SECONDS
    deadline = time.monotonic() + wait_seconds
    rows = IdempotencyKey.objects.filter(owner=owner, scope=scope, key=key)
    while True:
        now = timezone.now()
        try:
            with transaction.atomic():  # its own transaction (or a savepoint in the caller's)
                row = IdempotencyKey.objects.create(
                    owner=owner, scope=scope, key=key, request_hash=request_hash, created_at=now
                )
            return Reservation(pk=row.pk, reserved_at=row.created_at)
        except IntegrityError:
            pass
        row = rows.first()
        if row is None:
            continue  # released (a server error) between our insert and this read: try again
        expired = row.created_at <= now - IDEMPOTENCY_KEY_TTL
        abandoned = row.status_code is None and row.created_at <= now - timedelta(
            seconds=settings.IDEMPOTENCY_ABANDONED_SECONDS
        )
        if expired or abandoned:
            # Take the row over, unless another request just did (the reservation time changed).
            taken = IdempotencyKey.objects.filter(pk=row.pk, created_at=row.created_at).update(
                created_at=now, request_hash=request_hash, status_code=None, response_headers={}, response_body=b""
            )
            if taken:
                return Reservation(pk=row.pk, reserved_at=now)
            continue
        if request_hash and row.request_hash != request_hash:
            raise KeyReused
        if row.status_code is not None:
            return row
        if time.monotonic() >= deadline:
            raise KeyInProgress
        time.sleep(POLL_SECONDS)


def idempotency_key_complete(*, reservation: Reservation, status_code: int, headers: dict, body: bytes) -> bool:
    """Store the response of the request that owns the key; False if it lost the key meanwhile
    (it was abandoned and taken over by a retry, which then owns the answer)."""
    stored = IdempotencyKey.objects.filter(
        pk=reservation.pk, created_at=reservation.reserved_at, status_code__isnull=True
    ).update(status_code=status_code, response_headers=headers, response_body=body)
    return bool(stored)


def idempotency_key_release(*, reservation: Reservation) -> None:
    """Forget the key (the request failed on the server's side): a retry with it runs again."""
    IdempotencyKey.objects.filter(
        pk=reservation.pk, created_at=reservation.reserved_at, status_code__isnull=True
    ).delete()


def idempotency_keys_prune(*, now: datetime | None = None) -> int:
    """Delete keys older than IDEMPOTENCY_KEY_TTL (they no longer replay); returns how many."""
    cutoff = (now or timezone.now()) - IDEMPOTENCY_KEY_TTL
    deleted, _ = IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted
