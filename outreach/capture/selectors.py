"""Reads for capture (issue #13): open offers, the New people list, stored mails — one user's rows."""

from django.db.models import QuerySet

from accounts.selectors import scoped_get
from outreach.models import CaptureOffer, Correspondent, StoredMail


def capture_offer_list(*, user) -> QuerySet[CaptureOffer]:
    return CaptureOffer.objects.filter(owner=user).select_related("conversation", "conversation__contact")


def capture_offers_open(*, user) -> QuerySet[CaptureOffer]:
    return capture_offer_list(user=user).filter(status=CaptureOffer.Status.OPEN).order_by("-at", "-id")


def capture_offer_get(*, user, pk) -> CaptureOffer:
    return scoped_get(capture_offer_list(user=user), pk=pk, not_found="No such suggestion.")


def correspondent_list(*, user) -> QuerySet[Correspondent]:
    return Correspondent.objects.filter(owner=user)


def new_people(*, user) -> QuerySet[Correspondent]:
    """The New people list: not added, not ignored, the latest first."""
    return correspondent_list(user=user).filter(status=Correspondent.Status.NEW).order_by("-last_seen_at", "-id")


def correspondent_get(*, user, pk) -> Correspondent:
    return scoped_get(correspondent_list(user=user), pk=pk, not_found="No such person.")


def stored_mail_list(*, user) -> QuerySet[StoredMail]:
    return StoredMail.objects.filter(owner=user).defer("raw")


def stored_mail_get(*, user, pk) -> StoredMail:
    return scoped_get(StoredMail.objects.filter(owner=user), pk=pk, not_found="No such mail.")
