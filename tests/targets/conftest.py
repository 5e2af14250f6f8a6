"""The page fixtures of tests/web, for the Targets page tests."""

from tests.web.conftest import other_web, web  # noqa: F401
