"""/api/v1/conversations/, /follow-ups/, /templates/, /reminders/: the pipeline over HTTP."""

import inspect

import django_filters
from django.core.exceptions import ValidationError
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from config.api import enum_filter
from config.ownership import OwnedModelViewSet, OwnedReadOnlyViewSet

from . import pipeline, selectors, services
from .filters import (
    ConversationFilter,
    FollowUpFilter,
    MessageTemplateFilter,
    QuestionFilter,
    ReminderFilter,
    TouchFilter,
)
from .models import PortfolioItem, PortfolioKind, PortfolioStatus, placeholder_errors
from .serializers import (
    DUE_AT_HELP,
    BuildAgendaSerializer,
    ConversationCreateSerializer,
    ConversationSerializer,
    FollowUpSerializer,
    MessageTemplateSerializer,
    PortfolioItemSerializer,
    QuestionSerializer,
    ReminderSerializer,
    RenderedMessageSerializer,
    RenderRequestSerializer,
    ReplySerializer,
    SnoozeSerializer,
    TemplateCompareQuerySerializer,
    TemplateCompareSerializer,
    TouchSerializer,
    TransitionSerializer,
)


def _summary(function) -> str:
    """The first paragraph of a function's docstring, on one line."""
    return " ".join((inspect.getdoc(function) or "").split("\n\n")[0].split())


def transition_description() -> str:
    """The text of POST /conversations/{id}/transition/, written from the pipeline's declaration
    (pipeline.MOVES), so the schema lists exactly the moves the service allows."""
    moves = []
    for stage in pipeline.BOARD_STAGES:
        targets = [
            f"{move.to} ({move.label_from(stage).lower()})" if stage in move.labels else move.to
            for move in pipeline.legal_moves(stage)
        ]
        if targets:
            moves.append(f"- {stage} → {' | '.join(targets)}")
    moves.append(f"- {', '.join(pipeline.FINAL_STAGES)}: final")
    required = [f"`{name}` is required for {move.to}." for move in pipeline.MOVES for name in move.requires]
    effects: dict = {}
    for move in pipeline.MOVES:
        effects.setdefault(services.EFFECTS[move.effect], []).append(move.to)
    return "\n".join(
        [
            "Move the conversation along the pipeline. The legal moves:",
            "",
            *moves,
            "",
            *required,
            "Any other move is refused with 400, naming the `current_stage` and the `allowed_stages`.",
            "",
            "Each move's effects, in one transaction with the move:",
            "",
            *(f"- → {' | '.join(stages)}: {_summary(effect)}" for effect, stages in effects.items()),
        ]
    )


ILLEGAL_MOVE = OpenApiResponse(
    description="Invalid input, or a move the pipeline does not allow: the body names the "
    "`current_stage` and the `allowed_stages`."
)


@extend_schema_view(
    create=extend_schema(
        request=ConversationCreateSerializer,
        responses={
            201: ConversationSerializer,
            409: OpenApiResponse(
                description="The contact already has an open ask of this kind; `open_conversation` names it. "
                "Send `allow_duplicate: true` to create another anyway."
            ),
        },
    ),
    destroy=extend_schema(
        description="Delete a mistaken conversation with its history: stage changes, follow-ups and "
        "reminders (no e-mail is sent for it afterwards). Notes about it stay on the contact."
    ),
)
class ConversationViewSet(OwnedModelViewSet):
    """Conversations: one ask of one contact. `stage` changes only through `transition`."""

    selector = selectors.conversation_list
    serializer_class = ConversationSerializer
    filterset_class = ConversationFilter
    search_fields = [
        "contact__first_name",
        "contact__last_name",
        "contact__company__name",
        "agenda",
        "outcome",
        "location",
    ]
    ordering_fields = ["created_at", "updated_at", "requested_at", "scheduled_for", "held_at", "stage"]
    ordering = ["-created_at", "-id"]

    def get_serializer_class(self):
        return ConversationCreateSerializer if self.action == "create" else ConversationSerializer

    def create_object(self, data):
        return services.conversation_create(owner=self.request.user, **data)

    def update_object(self, instance, data):
        return services.conversation_update(conversation=instance, **data)

    def perform_destroy(self, instance):
        services.conversation_delete(conversation=instance)

    @extend_schema(
        request=TransitionSerializer,
        responses={200: ConversationSerializer, 400: ILLEGAL_MOVE},
        description=transition_description(),
    )
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        conversation = self.get_object()
        body = TransitionSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        data = body.validated_data
        services.conversation_transition(
            conversation=conversation,
            to_stage=data["stage"],
            **{name: data.get(name) for name in TransitionSerializer.Meta.optional},
        )
        return Response(ConversationSerializer(self.refetch(conversation), context=self.get_serializer_context()).data)

    @extend_schema(
        request=ReplySerializer,
        responses={
            200: ConversationSerializer,
            400: OpenApiResponse(description="`at` in the future or before the request."),
            409: OpenApiResponse(description="The conversation is not a request waiting for an answer."),
        },
        description=_summary(services.conversation_reply),
    )
    @action(detail=True, methods=["post"])
    def reply(self, request, pk=None):
        conversation = self.get_object()
        body = ReplySerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        services.conversation_reply(conversation=conversation, at=body.validated_data.get("at"))
        return Response(ConversationSerializer(self.refetch(conversation), context=self.get_serializer_context()).data)

    @extend_schema(
        request=BuildAgendaSerializer,
        responses={
            200: ConversationSerializer,
            400: OpenApiResponse(
                description="Fewer than 3 or more than 5 question ids, an id that is not one of your questions, "
                "or (without ids) no question of this kind left that is not on the agenda."
            ),
            409: OpenApiResponse(description="The conversation is in a final stage: no chat left to prepare."),
        },
        description=_summary(services.conversation_build_agenda)
        + " Questions already on the agenda are not added twice. Answers with the conversation.",
    )
    @action(detail=True, methods=["post"], url_path="build-agenda")
    def build_agenda(self, request, pk=None):
        conversation = self.get_object()
        body = BuildAgendaSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        services.conversation_build_agenda(conversation=conversation, questions=body.validated_data.get("questions"))
        return Response(ConversationSerializer(self.refetch(conversation), context=self.get_serializer_context()).data)


@extend_schema_view(
    list=extend_schema(description="Your follow-ups. `due_at`: " + DUE_AT_HELP),
)
class FollowUpViewSet(OwnedModelViewSet):
    """Things you owe someone: nudges, thank-yous, reconnects, materials to send."""

    selector = selectors.follow_up_list
    serializer_class = FollowUpSerializer
    filterset_class = FollowUpFilter
    search_fields = ["title", "contact__first_name", "contact__last_name"]
    ordering_fields = ["due_at", "created_at", "completed_at", "kind", "status"]
    ordering = ["due_at", "id"]

    def create_object(self, data):
        return services.follow_up_create(owner=self.request.user, **data)

    def update_object(self, instance, data):
        return services.follow_up_update(follow_up=instance, **data)

    def _answer(self, follow_up):
        return Response(FollowUpSerializer(self.refetch(follow_up), context=self.get_serializer_context()).data)

    @extend_schema(
        request=None,
        responses={200: FollowUpSerializer, 400: OpenApiResponse(description="The follow-up is not open.")},
        description="Mark it done. A nudge opens the next nudge; a thank-you thanks the conversation; "
        "a nudge, thank-you or reconnect counts as a touch with the contact.",
    )
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        return self._answer(services.follow_up_complete(follow_up=self.get_object()))

    @extend_schema(
        request=SnoozeSerializer,
        responses={200: FollowUpSerializer, 400: OpenApiResponse(description="Not open, or not in the future.")},
        description="Move an open follow-up to a new time; its reminder email moves with it.",
    )
    @action(detail=True, methods=["post"])
    def snooze(self, request, pk=None):
        follow_up = self.get_object()
        body = SnoozeSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        return self._answer(services.follow_up_snooze(follow_up=follow_up, due_at=body.validated_data["due_at"]))

    @extend_schema(
        request=None,
        responses={200: FollowUpSerializer, 400: OpenApiResponse(description="The follow-up is not open.")},
        description="Drop an open follow-up; its reminder email is withdrawn.",
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self._answer(services.follow_up_cancel(follow_up=self.get_object()))


class MessageTemplateViewSet(OwnedModelViewSet):
    """Message templates. Placeholders: {first_name}, {last_name}, {company}, {title}, {how_we_met}, {my_name}."""

    selector = selectors.template_list
    serializer_class = MessageTemplateSerializer
    filterset_class = MessageTemplateFilter
    search_fields = ["name", "subject", "body"]
    ordering_fields = ["name", "kind", "created_at"]
    ordering = ["kind", "name", "id"]

    def create_object(self, data):
        return services.template_create(owner=self.request.user, **data)

    def update_object(self, instance, data):
        return services.template_update(template=instance, **data)

    @extend_schema(
        request=RenderRequestSerializer,
        responses={200: RenderedMessageSerializer},
        description="The template's subject and body filled in for one of your contacts (plain substitution; "
        "`{field|fallback}` gives the fallback for an empty field), `empty`: the placeholders that still "
        "rendered empty, and `checks`: the outreach check's hints for a first e-mail (see the schema).",
    )
    @action(detail=True, methods=["post"])
    def render(self, request, pk=None):
        template = self.get_object()
        body = RenderRequestSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        errors = placeholder_errors(subject=template.subject, body=template.body)
        if errors:
            raise ValidationError(errors)
        rendered = services.template_render(template=template, contact=body.validated_data["contact"])
        return Response(RenderedMessageSerializer(rendered).data, status=status.HTTP_200_OK)

    @extend_schema(
        parameters=[TemplateCompareQuerySerializer],
        responses={
            200: TemplateCompareSerializer,
            400: OpenApiResponse(description="`a` or `b` missing, or the same template twice."),
            404: OpenApiResponse(description="`a` or `b` is not one of your templates."),
        },
        description="Do two of your templates get replies at different rates over the last `days`? "
        "Fisher's exact test (scipy) on replies vs no replies, and the answer as a plain sentence, "
        "including “too few to tell yet (need about N more asks)”.",
    )
    @action(detail=False, methods=["get"])
    def compare(self, request):
        query = TemplateCompareQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        result = selectors.template_compare(user=request.user, **query.validated_data)
        return Response(TemplateCompareSerializer(result).data)


class QuestionViewSet(OwnedModelViewSet):
    """Your question bank: good questions by kind of conversation, in your order (`position`).
    A new question goes to the end of its kind; `POST /conversations/{id}/build-agenda/` copies
    some into a conversation's agenda."""

    selector = selectors.question_list
    serializer_class = QuestionSerializer
    filterset_class = QuestionFilter
    search_fields = ["text", "category"]
    ordering_fields = ["kind", "position", "created_at"]
    ordering = ["kind", "position", "id"]

    def create_object(self, data):
        return services.question_create(owner=self.request.user, **data)

    def update_object(self, instance, data):
        return services.question_update(question=instance, **data)

    def perform_destroy(self, instance):
        services.question_delete(question=instance)


class ReminderViewSet(OwnedReadOnlyViewSet):
    """The reminder emails planned for you and how their delivery went (read-only)."""

    selector = selectors.reminder_list
    serializer_class = ReminderSerializer
    filterset_class = ReminderFilter
    search_fields = ["last_error"]
    ordering_fields = ["send_at", "sent_at", "created_at", "status"]
    ordering = ["-send_at", "-id"]


class PortfolioItemFilter(django_filters.FilterSet):
    kind = enum_filter(PortfolioKind.choices)
    status = enum_filter(PortfolioStatus.choices)

    class Meta:
        model = PortfolioItem
        fields = ["kind", "status"]


class PortfolioItemViewSet(OwnedModelViewSet):
    """Proof of PM work, with the feedback conversations about each piece."""

    selector = selectors.portfolio_item_list
    serializer_class = PortfolioItemSerializer
    filterset_class = PortfolioItemFilter
    search_fields = ["title", "summary"]
    ordering_fields = ["created_at", "title", "status", "kind"]
    ordering = ["-created_at", "-id"]

    def create_object(self, data):
        return services.portfolio_item_create(owner=self.request.user, **data)

    def update_object(self, instance, data):
        return services.portfolio_item_update(item=instance, **data)


class TouchViewSet(OwnedModelViewSet):
    """Touches outside any ask: a LinkedIn DM, a Slack thread, a comment, a call, an event where
    you met several people. Creating one moves each contact's `last_contacted_at` to its `at`
    (never back) and their open reconnect follow-up with it. Editing `at` or `contacts` touches
    the contacts it now names; deleting a touch (or moving it earlier, or dropping a contact)
    gives a contact whose last contact was this touch's moment the latest one still on record
    (touches, held chats, thank-yous, completed nudge/thank-you/reconnect follow-ups, notes on a
    conversation)."""

    selector = selectors.touch_list
    serializer_class = TouchSerializer
    filterset_class = TouchFilter
    search_fields = ["summary", "contacts__first_name", "contacts__last_name"]
    ordering_fields = ["at", "created_at", "channel"]
    ordering = ["-at", "-id"]

    def create_object(self, data):
        data.setdefault("at", timezone.now())
        return services.touch_create(owner=self.request.user, **data)

    def update_object(self, instance, data):
        return services.touch_update(touch=instance, **data)

    def perform_destroy(self, instance):
        services.touch_delete(touch=instance)
