"""API token authentication: django-rest-knox's, in one query per request.

knox looks up the token by its key (one query, with its user) and then, on every request,
loads all of the user's other tokens to delete expired ones (a second query, growing with
the number of tokens). Here only the presented token's expiry is checked; an expired token
is still refused, and deleted, when it is presented. Nothing is cached: a token revoked (or
deleted by a password change) is refused on the very next request.
"""

from django.utils import timezone
from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from knox import auth
from knox.signals import token_expired


class TokenAuthentication(auth.TokenAuthentication):
    def _cleanup_token(self, auth_token) -> bool:
        if auth_token.expiry is not None and auth_token.expiry < timezone.now():
            username = auth_token.user.get_username()
            auth_token.delete()
            token_expired.send(sender=self.__class__, username=username, source="auth_token")
            return True
        return False


class TokenScheme(KnoxTokenScheme):
    """The OpenAPI schema names this class as knox's token scheme, as before."""

    target_class = "config.auth.TokenAuthentication"
