"""Rate limits for pages, counted together with the API's.

A dashboard page that does what an API endpoint does (the Import page and POST
/api/v1/imports/…) must not be a way around the endpoint's limit. So the page asks DRF's own
ScopedRateThrottle: the same scope and rate (settings REST_FRAMEWORK DEFAULT_THROTTLE_RATES),
the same shared cache (settings.CACHES) and the same identity (the user's id; a logged-out
client by its address, as TRUSTED_PROXIES allows) — one allowance for both.
"""

import math
from dataclasses import dataclass

from rest_framework.throttling import ScopedRateThrottle


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
