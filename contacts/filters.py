"""Query-string filters for the contacts API (django-filter)."""

import django_filters
from rest_framework.filters import OrderingFilter

from config.api import enum_filter, id_filter

from .models import Company, Contact, Relationship, Responsiveness, Source, Tag, text_key
from .selectors import LAMP_ORDERING, reconnect_due_q


class ContactFilter(django_filters.FilterSet):
    company = id_filter("company_id", help_text="Company id.")
    tag = django_filters.CharFilter(method="filter_tag", help_text="Tag name (any case).")
    source = enum_filter(Source.choices)
    relationship = enum_filter(Relationship.choices)
    responsiveness = enum_filter(Responsiveness.choices)
    archived = django_filters.BooleanFilter()
    reconnect_due = django_filters.BooleanFilter(
        method="filter_reconnect_due",
        help_text="true: active contacts whose reconnect date has passed; false: all others.",
    )

    class Meta:
        model = Contact
        fields = ["company", "tag", "source", "relationship", "responsiveness", "archived", "reconnect_due"]

    def filter_tag(self, queryset, name, value):
        return queryset.filter(tags__name_key=text_key(value))

    def filter_reconnect_due(self, queryset, name, value):
        return queryset.filter(reconnect_due_q()) if value else queryset.exclude(reconnect_due_q())


class CompanyFilter(django_filters.FilterSet):
    industry = django_filters.CharFilter(lookup_expr="iexact")
    target = django_filters.BooleanFilter(help_text="true: your target employers (LAMP); false: the others.")

    class Meta:
        model = Company
        fields = ["industry", "target"]


class CompanyOrderingFilter(OrderingFilter):
    """The usual `ordering`, plus `lamp`: motivation, posting and alumni (highest first), then name."""

    def get_ordering(self, request, queryset, view):
        if request.query_params.get(self.ordering_param, "").strip() == "lamp":
            return list(LAMP_ORDERING)
        return super().get_ordering(request, queryset, view)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["description"] = (
                "Which field to use when ordering the results (`-` for descending), or `lamp`: "
                "motivation, then posting, then alumni (highest first), then name."
            )
        return parameters


class TagFilter(django_filters.FilterSet):
    name = django_filters.CharFilter(method="filter_name", help_text="Tag name (any case).")

    class Meta:
        model = Tag
        fields = ["name"]

    def filter_name(self, queryset, name, value):
        return queryset.filter(name_key=text_key(value))
