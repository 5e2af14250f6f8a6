from django.contrib import admin

from .models import Profile


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "timezone", "digest_hour", "email_reminders", "daily_digest", "pathway")
    list_filter = ("pathway", "email_reminders", "daily_digest")
    search_fields = ("user__username", "user__email")
    list_select_related = ("user",)
    readonly_fields = ("calendar_token",)
