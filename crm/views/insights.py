"""The Insights page (issue #14): what gets replies, the funnel over time, activity and the weekly goal."""

from django.shortcuts import render

from crm import charts
from crm.insights import HISTORY_WEEKS, insights

from .common import page_view
from .message_templates import PERIODS, period_of


@page_view
def insights_page(request):
    days = period_of(request)
    data = insights(user=request.user, days=days)
    rate_charts = [
        ("channel", "Reply rate by channel", "Channel", data.channels),
        ("source", "Reply rate by contact source", "Source", data.sources),
        ("template", "Reply rate by template", "Template", data.templates),
    ]
    return render(
        request,
        "crm/insights.html",
        {
            "data": data,
            "days": days,
            "periods": PERIODS,
            "weeks": HISTORY_WEEKS,
            "rate_charts": [
                {"id": key, "title": title, "column": column, "rows": rows, "chart": charts.rate_bars(rows)}
                for key, title, column, rows in rate_charts
            ],
            "funnel": charts.funnel_lines(data.funnel, unit=data.funnel_unit),
            "heat": charts.heatmap_cells(data.heatmap),
            "goal_chart": charts.goal_bars(data.goal_weeks, data.goal),
        },
    )
