"""Response headers Django does not set itself."""

from django.conf import settings


class PermissionsPolicyMiddleware:
    """Send `Permissions-Policy: settings.PERMISSIONS_POLICY` on every response.

    One fixed header does not need a library (django-permissions-policy): a view that ever
    needs a feature can set its own header, which this leaves alone.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = settings.PERMISSIONS_POLICY

    def __call__(self, request):
        response = self.get_response(request)
        if self.policy:
            response.headers.setdefault("Permissions-Policy", self.policy)
        return response
