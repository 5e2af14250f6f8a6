"""No N+1: every list endpoint and the dashboard run no more queries for 30 rows than for 3,
and no more than their budget.

One test seeds the account once and asks every endpoint at both sizes: seeding is what costs
(each row goes through the services), so one test per endpoint would seed it a dozen times.
"""

from tests.api.conftest import seed_account
from tests.api.test_isolation import ROUTES, _path_params, _url

LIST_ROUTES = [(route, pattern) for route, pattern, method, action in ROUTES if action == "list"]
URLS = {route: _url(route, pattern) for route, pattern in LIST_ROUTES} | {"api/v1/dashboard/": "/api/v1/dashboard/"}
# Queries per request: count + rows + one per prefetch (+ the profile where rows need a setting).
BUDGET = {
    "api/v1/contacts/": 3,  # count, rows (company joined), tags
    "api/v1/conversations/": 4,  # count, rows (annotated), stage history, profile (max_nudges)
    "api/v1/portfolio/": 3,  # count, rows, feedback conversations with contacts
    "api/v1/touches/": 3,  # count, rows, their contacts
    "api/v1/dashboard/": 13,
}
DEFAULT_BUDGET = 2  # count, rows
# A query per row shows as 27 more queries at MANY than at FEW.
FEW, MANY = 3, 30


def _query_counts(client, django_assert_max_num_queries) -> dict[str, int]:
    """Each endpoint's number of queries, failing at once if one goes over its budget."""
    counts = {}
    for route, url in URLS.items():
        with django_assert_max_num_queries(BUDGET.get(route, DEFAULT_BUDGET), info=route) as captured:
            response = client.get(url, {"page_size": 200})
        assert response.status_code == 200, route
        counts[route] = len(captured)
    return counts


def test_no_list_or_the_dashboard_runs_more_queries_for_30_rows_than_for_3(
    user, api_client, django_assert_max_num_queries
):
    assert not [pattern for _, pattern in LIST_ROUTES if _path_params(pattern)]
    seed_account(user, n=FEW, marker="Few")
    few = _query_counts(api_client, django_assert_max_num_queries)
    seed_account(user, n=MANY - FEW, marker="Many")
    many = _query_counts(api_client, django_assert_max_num_queries)
    assert api_client.get("/api/v1/dashboard/").json()["funnel"]["requested"] == MANY
    assert {route: (few[route], n) for route, n in many.items() if n > few[route]} == {}
