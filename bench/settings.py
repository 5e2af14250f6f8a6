"""Settings for `make bench`: the app's own settings, plus a bare baseline view and static
files served without a manifest (no collectstatic on a fresh clone)."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
