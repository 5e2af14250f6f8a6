from django.contrib import admin

from .models import Note, Opportunity, PortfolioItem, Profile


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "timezone", "digest_hour", "email_reminders", "daily_digest", "pathway")
    list_filter = ("pathway", "email_reminders", "daily_digest")
    search_fields = ("user__username", "user__email")
    list_select_related = ("user",)
    readonly_fields = ("calendar_token",)


@admin.register(Note)
class NoteAdmin(admin.ModelAdmin):
    list_display = ("__str__", "kind", "contact", "conversation", "created_at", "owner")
    list_filter = ("kind",)
    search_fields = ("body", "contact__first_name", "contact__last_name", "owner__username")
    list_select_related = ("contact", "owner")
    raw_id_fields = ("contact", "conversation", "owner")


@admin.register(Opportunity)
class OpportunityAdmin(admin.ModelAdmin):
    list_display = ("title", "company", "status", "referrer", "created_at", "owner")
    list_filter = ("status",)
    search_fields = ("title", "company__name", "owner__username")
    list_select_related = ("company", "referrer", "owner")
    raw_id_fields = ("company", "referrer", "owner")


@admin.register(PortfolioItem)
class PortfolioItemAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "status", "url", "created_at", "owner")
    list_filter = ("kind", "status")
    search_fields = ("title", "owner__username")
