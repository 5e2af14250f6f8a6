"""The app's URLs plus /bench/contacts-bare/: the baseline the API list is measured against —
the same 100 rows as `GET /api/v1/contacts/?page_size=100`, from `.values()`, as JSON."""

from django.http import HttpResponseForbidden, JsonResponse
from django.urls import path

from config.urls import urlpatterns as app_urlpatterns
from contacts.models import Contact

# Every column of the row and its company's name, as the API sends (tags aside).
FIELDS = (*(f.attname for f in Contact._meta.concrete_fields), "company__name")


def contacts_bare(request):
    if not request.user.is_authenticated:
        return HttpResponseForbidden()
    rows = list(
        Contact.objects.filter(owner=request.user).order_by("first_name", "last_name", "id").values(*FIELDS)[:100]
    )
    return JsonResponse({"results": rows})


urlpatterns = [path("bench/contacts-bare/", contacts_bare), *app_urlpatterns]
