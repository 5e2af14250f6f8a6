"""Pages show times on the user's clock: activate their profile's time zone per request."""

from django.utils import timezone
from django.utils.cache import add_never_cache_headers

from accounts.localtime import user_tz


class UserTimezoneMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            with timezone.override(user_tz(user)):
                return self.get_response(request)
        return self.get_response(request)


class FreshPagesMiddleware:
    """Back and Forward show what is true now, not the page as it was before an htmx action
    changed it (issue #10): a signed-in user's HTML pages are never stored (`no-store`), so the
    browser neither keeps them in its back/forward cache nor shows a cached copy; it asks again.
    (htmx's own history snapshots are off too: historyCacheSize 0 in base.html.)"""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and response.get("Content-Type", "").startswith("text/html")
            and not response.has_header("Cache-Control")
        ):
            add_never_cache_headers(response)
        return response
