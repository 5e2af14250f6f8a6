from django.contrib import admin

from .models import Note, Opportunity


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
