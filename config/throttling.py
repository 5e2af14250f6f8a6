"""Rate limits for Django's own views, counted the way the API counts them.

One mechanism serves the API and the pages: DRF's SimpleRateThrottle, its rates (the
REST_FRAMEWORK DEFAULT_THROTTLE_RATES scopes), its idea of the client address (TRUSTED_PROXIES)
and the shared cache. A refused page request gets a 429 page with Retry-After, as the API
gets a 429 JSON body.
"""

import functools
import hashlib
import ipaddress
import math
from dataclasses import dataclass

from django.shortcuts import render
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle, ScopedRateThrottle, SimpleRateThrottle


def client_address(request) -> str | None:
    """The client's address as the API's throttles identify it (TRUSTED_PROXIES hops back).

    Also django-axes' AXES_CLIENT_IP_CALLABLE, so log-in lockouts and rate limits agree on who
    the client is. Axes stores it in an IP address column: anything that is not an address
    (a proxy passing on garbage) falls back to the connection's address.
    """
    ident = BaseThrottle().get_ident(request)
    try:
        return str(ipaddress.ip_address(ident))
    except ValueError:
        return request.META.get("REMOTE_ADDR")


class ClientRateThrottle(SimpleRateThrottle):
    """DRF's rate throttle for one scope, per client address, or per `subject` when given
    (e.g. the e-mail address a reset is asked for; only its hash reaches the cache)."""

    def __init__(self, scope: str | None = None, *, subject: str | None = None):
        if scope:
            self.scope = scope
        self.subject = subject
        super().__init__()

    def get_rate(self):
        # Read when used (not at import, as DRF's scoped throttle does), so a changed setting applies.
        self.THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES
        return super().get_rate()

    def get_cache_key(self, request, view):
        if self.subject is None:
            ident = self.get_ident(request)
        else:
            ident = hashlib.sha256(self.subject.encode()).hexdigest()
        return self.cache_format % {"scope": self.scope, "ident": ident}


def too_many_requests(request, seconds: float, message: str = "Too many attempts.", status: int = 429):
    """The 429 page: what happened and how long to wait, with Retry-After in whole seconds."""
    seconds = max(1, math.ceil(seconds))
    minutes = math.ceil(seconds / 60)
    response = render(
        request,
        "registration/too_many_attempts.html",
        {"message": message, "seconds": seconds, "minutes": minutes},
        status=status,
    )
    response["Retry-After"] = str(seconds)
    return response


def throttled(request, scope: str, *, subject: str | None = None):
    """Count this request against `scope`; the 429 page once its rate is used up, else None."""
    throttle = ClientRateThrottle(scope, subject=subject)
    if throttle.allow_request(request, None):
        return None
    return too_many_requests(request, throttle.wait() or 1)


def throttle(scope: str, *, methods: tuple[str, ...] = ("POST",)):
    """Decorate a Django view: its `methods` requests count against `scope` per client address.

    Only submissions count by default: showing a form costs nothing worth limiting.
    """

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method in methods:
                refusal = throttled(request, scope)
                if refusal is not None:
                    return refusal
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


# --- a page that does what an API endpoint does -----------------------------------------------
# The Import page and POST /api/v1/imports/… must not be a way around each other's limit: the
# page asks DRF's own ScopedRateThrottle, with the same scope, rate, cache and identity (the
# user's id), so both share one allowance.


@dataclass(frozen=True)
class _ScopedView:
    """What ScopedRateThrottle reads from a view: its scope."""

    throttle_scope: str


def page_throttle_wait(request, scope: str) -> int | None:
    """Count this request against `scope`: None if it may go ahead, else the whole seconds to
    wait before the next one is allowed (for Retry-After)."""
    throttle = ScopedRateThrottle()
    if throttle.allow_request(request, _ScopedView(scope)):
        return None
    return max(1, math.ceil(throttle.wait() or 1))
