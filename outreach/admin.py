from django.contrib import admin

from .models import Conversation, FollowUp, MessageTemplate, PortfolioItem, Question, Reminder, StageChange


class StageChangeInline(admin.TabularInline):
    model = StageChange
    extra = 0
    readonly_fields = ("from_stage", "stage", "at", "recorded_at", "owner")
    can_delete = False


@admin.register(Conversation)
class ConversationAdmin(admin.ModelAdmin):
    # `stage` is read-only here too: moves go through outreach.services.conversation_transition.
    list_display = ("contact", "kind", "channel", "stage", "requested_at", "scheduled_for", "held_at", "owner")
    list_filter = ("stage", "kind", "channel")
    search_fields = ("contact__first_name", "contact__last_name", "owner__username")
    list_select_related = ("contact", "owner")
    raw_id_fields = ("contact", "template", "portfolio_item", "owner")
    readonly_fields = ("stage", "requested_at", "scheduled_for", "held_at", "created_at", "updated_at")
    inlines = [StageChangeInline]


@admin.register(FollowUp)
class FollowUpAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "contact", "due_at", "status", "completed_at", "owner")
    list_filter = ("status", "kind")
    search_fields = ("title", "contact__first_name", "contact__last_name", "owner__username")
    list_select_related = ("contact", "owner")
    raw_id_fields = ("contact", "conversation", "owner")
    readonly_fields = ("status", "completed_at")


@admin.register(MessageTemplate)
class MessageTemplateAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "subject", "owner")
    list_filter = ("kind",)
    search_fields = ("name", "subject", "owner__username")


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = ("kind", "send_at", "status", "attempts", "sent_at", "last_error", "owner")
    list_filter = ("status", "kind")
    search_fields = ("dedupe_key", "owner__username")
    list_select_related = ("owner",)
    raw_id_fields = ("follow_up", "conversation", "owner")
    readonly_fields = ("dedupe_key", "sent_at", "attempts", "claimed_at", "created_at")


@admin.register(PortfolioItem)
class PortfolioItemAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "status", "url", "created_at", "owner")
    list_filter = ("kind", "status")
    search_fields = ("title", "owner__username")


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ("text", "kind", "category", "position", "owner")
    list_filter = ("kind",)
    search_fields = ("text", "category", "owner__username")
    list_select_related = ("owner",)
    raw_id_fields = ("owner",)
