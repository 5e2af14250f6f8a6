"""No N+1: every list endpoint and the dashboard run a fixed number of queries, at 1 row and at 100."""

import pytest

from tests.api.conftest import seed_account
from tests.api.test_isolation import ROUTES, _path_params, _url

LIST_ROUTES = [(route, pattern) for route, pattern, method, action in ROUTES if action == "list"]
# Queries per page: count + rows + one per prefetch (+ the profile where rows need a setting).
BUDGET = {
    "api/v1/contacts/": 3,  # count, rows (company, referrer joined), tags
    "api/v1/conversations/": 4,  # count, rows (annotated), stage history, profile (max_nudges)
    "api/v1/portfolio/": 3,  # count, rows, feedback conversations with contacts
}
DEFAULT_BUDGET = 2  # count, rows


@pytest.mark.slow
@pytest.mark.parametrize("rows", [1, 100])
@pytest.mark.parametrize(("route", "pattern"), LIST_ROUTES, ids=[r for r, _ in LIST_ROUTES])
def test_list_query_count_is_fixed(user, api_client, django_assert_max_num_queries, route, pattern, rows):
    seed_account(user, n=rows)
    assert not _path_params(pattern)
    with django_assert_max_num_queries(BUDGET.get(route, DEFAULT_BUDGET)):
        response = api_client.get(_url(route, pattern), {"page_size": 200})
    assert response.status_code == 200
    assert response.json()["count"] >= 1


@pytest.mark.slow
@pytest.mark.parametrize("rows", [1, 100])
def test_dashboard_query_count_is_fixed(user, api_client, django_assert_max_num_queries, rows):
    seed_account(user, n=rows)
    with django_assert_max_num_queries(13):
        response = api_client.get("/api/v1/dashboard/")
    assert response.json()["funnel"]["requested"] == rows
