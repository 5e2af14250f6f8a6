"""What every dashboard page shares, whichever app serves it."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django_htmx.http import HttpResponseClientRedirect


def page_view(view):
    """Login required. A logged-out htmx request (the session expired, or the user logged out in
    another tab) gets a full-page redirect to the log-in page, coming back to the page it was on;
    a plain redirect would be followed by htmx and the log-in page swapped into a fragment."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            htmx = getattr(request, "htmx", None)
            if htmx and not htmx.history_restore_request:  # a history restore swaps the whole page
                back_to = htmx.current_url_abs_path or request.get_full_path()
                return HttpResponseClientRedirect(redirect_to_login(back_to).url)
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapper
