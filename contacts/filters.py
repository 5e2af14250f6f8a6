"""Query-string filters for the contacts API (django-filter)."""

import django_filters

from config.api import enum_filter, id_filter

from .models import Company, Contact, Relationship, Responsiveness, Source, Tag, text_key
from .selectors import reconnect_due_q


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

    class Meta:
        model = Company
        fields = ["industry"]


class TagFilter(django_filters.FilterSet):
    name = django_filters.CharFilter(method="filter_name", help_text="Tag name (any case).")

    class Meta:
        model = Tag
        fields = ["name"]

    def filter_name(self, queryset, name, value):
        return queryset.filter(name_key=text_key(value))
