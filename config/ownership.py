"""Ownership, enforced in one place: every API queryset and every related field starts from the user.

- OwnedViewSetMixin builds querysets from a selector taking `user`, filters them by owner
  once more itself, and refuses subclasses that override get_queryset or get_object, so
  lists, details, updates, deletes and actions are scoped.
- OwnedPrimaryKeyRelatedField accepts only ids of the requesting user's rows, so another
  user's id in a write is a 400 "not found", never a silent link.
"""

from rest_framework import serializers, viewsets

from config.idempotency import IdempotentAPIMixin
from config.parsers import JSONParser


class OwnedViewSetMixin(IdempotentAPIMixin):
    """Builds every queryset from `selector(user=request.user)`; subclasses cannot opt out.

    A viewset names a selector (a function taking `user` and returning only that user's
    rows); the mixin filters its result by `owner_field` again, so a selector that forgot to
    scope is still scoped. Lists, details, updates, deletes and custom actions all go through
    get_queryset/get_object, so another user's row is a 404 everywhere (Http404, as the
    pages' `*_get` selectors raise). Overriding get_queryset or get_object would bypass that,
    so either is refused when the class is defined. POSTs honour `Idempotency-Key`
    (config/idempotency.py).
    """

    selector = None
    # The field that holds the row's user (OwnedModel's `owner`; knox tokens call it `user`).
    owner_field = "owner"
    # The API speaks JSON (imports, which take files, set their own parsers).
    parser_classes = [JSONParser]
    # The model, when the serializer is not a ModelSerializer (used for schema generation).
    model = None

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        for method in ("get_queryset", "get_object"):
            if method in cls.__dict__:
                raise TypeError(
                    f"{cls.__name__} overrides {method}; set `selector` instead so ownership stays enforced."
                )
        if "queryset" in cls.__dict__:
            raise TypeError(f"{cls.__name__} sets `queryset`; set `selector` (scoped to the user) instead.")

    def get_queryset(self):
        if self.selector is None:
            raise TypeError(f"{type(self).__name__} has no selector.")
        user = self.request.user
        if getattr(self, "swagger_fake_view", False) or not user.is_authenticated:
            # Schema generation introspects the model without a user: give it an empty queryset.
            return self.selector_model().objects.none()
        return type(self).selector(user=user).filter(**{self.owner_field: user})

    @classmethod
    def selector_model(cls):
        return cls.model or cls.serializer_class.Meta.model


class OwnedModelViewSet(OwnedViewSetMixin, viewsets.ModelViewSet):
    """CRUD over the user's rows; writes go through the app's services.

    Subclasses implement `create_object(data)` and `update_object(instance, data)` by calling
    a service; the response re-reads the row through the selector, so it has the same shape
    (annotations included) as the list.
    """

    def create_object(self, data: dict):
        raise NotImplementedError

    def update_object(self, instance, data: dict):
        raise NotImplementedError

    def perform_create(self, serializer):
        obj = self.create_object(dict(serializer.validated_data))
        serializer.instance = self.get_queryset().get(pk=obj.pk)

    def perform_update(self, serializer):
        obj = self.update_object(serializer.instance, dict(serializer.validated_data))
        serializer.instance = self.get_queryset().get(pk=obj.pk)

    def refetch(self, obj):
        """`obj` as the selector returns it (for actions that answer with the updated row)."""
        return self.get_queryset().get(pk=obj.pk)


class OwnedReadOnlyViewSet(OwnedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    pass


class OwnedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A link to one of the requesting user's rows; anyone else's id reads as "not found".

    `model` is an OwnedModel (filtered by owner); the queryset is built per request, so the
    field cannot be declared without the scoping.
    """

    default_error_messages = {
        "does_not_exist": 'Not found: you have no {model} with id "{pk_value}".',
        "incorrect_type": "Expected an id (integer), got {data_type}.",
    }

    def __init__(self, *, model, **kwargs):
        self.model = model
        kwargs.pop("queryset", None)
        super().__init__(queryset=model.objects.none(), **kwargs)

    def get_queryset(self):
        request = self.context.get("request")
        if request is None or not request.user.is_authenticated:
            return self.model.objects.none()
        return self.model.objects.filter(owner=request.user)

    def fail(self, key, **kwargs):
        kwargs.setdefault("model", self.model._meta.verbose_name)
        super().fail(key, **kwargs)
