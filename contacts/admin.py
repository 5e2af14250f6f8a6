from django.contrib import admin

from .models import Company, Contact, ContactEvent, Tag


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    list_display = ("name", "industry", "website", "owner", "created_at")
    list_filter = ("industry",)
    search_fields = ("name", "owner__username")


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ("name", "owner")
    search_fields = ("name", "owner__username")


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ("__str__", "company", "title", "relationship", "source", "last_contacted_at", "archived", "owner")
    list_filter = ("relationship", "source", "archived")
    search_fields = ("first_name", "last_name", "email", "linkedin_url", "owner__username")
    list_select_related = ("company", "owner")
    raw_id_fields = ("company", "referred_by", "owner")
    readonly_fields = ("last_contacted_at", "reconnect_due_at", "created_at", "updated_at")


@admin.register(ContactEvent)
class ContactEventAdmin(admin.ModelAdmin):
    list_display = ("summary", "kind", "contact", "acknowledged", "created_at", "owner")
    list_filter = ("kind", "acknowledged")
    list_select_related = ("contact", "owner")
    raw_id_fields = ("contact", "owner")
