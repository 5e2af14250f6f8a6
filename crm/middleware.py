"""Pages show times on the user's clock: activate their profile's time zone per request."""

from django.utils import timezone

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
