"""A list serializer that reads plain columns straight off the rows (#12).

DRF serialises each field of each row through `field.get_attribute` and
`field.to_representation`, with their look-ups and exception guards: for a 100-row page of
contacts that was most of the request. This plan is made once per list: a field whose value
is a plain column (text, choice, number, boolean) is read with getattr, a foreign key as its
`<name>_id` column, a date as `field.to_representation`, and anything else (nested,
computed, defaults) goes the usual DRF way. Same JSON: tests/api/test_fast_lists.py compares
it with DRF's own output.
"""

import datetime

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from rest_framework import ISO_8601, fields, relations, serializers
from rest_framework.settings import api_settings

# Fields whose representation of a column's own value is that value (str stays str, …).
PLAIN = (fields.CharField, fields.ChoiceField, fields.IntegerField, fields.BooleanField, fields.ReadOnlyField)


def _plain(field) -> bool:
    if isinstance(field, fields.MultipleChoiceField | fields.FilePathField):
        return False
    return any(type(field).to_representation is cls.to_representation for cls in PLAIN)


def _column(model, field):
    """The model column a field reads directly (no dotted source, no property), or None."""
    if len(field.source_attrs) != 1:
        return None
    try:
        return model._meta.get_field(field.source_attrs[0])
    except FieldDoesNotExist:
        return None


def _reader(field, model):
    """A function row -> JSON value equal to what DRF's Serializer.to_representation puts there."""
    column = _column(model, field)
    if column is None or not column.concrete or column.many_to_many:
        return None
    attname = column.attname
    if isinstance(field, relations.PrimaryKeyRelatedField) and column.many_to_one:
        return lambda row: getattr(row, attname)
    if _plain(field):
        return lambda row: getattr(row, attname)
    if isinstance(field, fields.DateTimeField | fields.DateField):
        represent = _iso_datetime(field) or field.to_representation
        return lambda row: None if (value := getattr(row, attname)) is None else represent(value)
    return None


def _iso_datetime(field):
    """DRF's ISO 8601 DateTimeField output without its per-value settings and timezone look-ups.

    The zone is looked up once per list (the request's current zone, as DRF's
    enforce_timezone does); naive or out-of-range values go through DRF itself.
    """
    if not isinstance(field, fields.DateTimeField) or not settings.USE_TZ:
        return None
    if str(getattr(field, "format", api_settings.DATETIME_FORMAT)).lower() != ISO_8601:
        return None
    zone = field.timezone if hasattr(field, "timezone") else field.default_timezone()
    if zone is None:
        return None

    def represent(value):
        if isinstance(value, datetime.datetime) and value.tzinfo is not None:
            try:
                text = value.astimezone(zone).isoformat()
            except OverflowError:
                return field.to_representation(value)
            return text[:-6] + "Z" if text.endswith("+00:00") else text
        return field.to_representation(value)

    return represent


def _drf_way(field):
    def read(row):
        try:
            attribute = field.get_attribute(row)
        except fields.SkipField:
            return fields.empty
        check = attribute.pk if isinstance(attribute, relations.PKOnlyObject) else attribute
        return None if check is None else field.to_representation(attribute)

    return read


class FastListSerializer(serializers.ListSerializer):
    def to_representation(self, data):
        rows = data.all() if isinstance(data, models.manager.BaseManager) else data
        child = self.child
        model = child.Meta.model
        plan = [(name, _reader(field, model) or _drf_way(field)) for name, field in child.fields.items()
                if not field.write_only]  # fmt: skip
        out = []
        for row in rows:
            item = {}
            for name, read in plan:
                value = read(row)
                if value is not fields.empty:
                    item[name] = value
            out.append(item)
        return out
