"""Back office view of uploads: read-only (a profile is exactly what its file said), deletable."""

from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .models import UsageProfile


@admin.register(UsageProfile)
class UsageProfileAdmin(admin.ModelAdmin):
    list_display = ("file_name", "format_label", "first_day", "last_day", "rows_read", "day_count", "created_at", "dashboard")
    list_filter = ("format", "created_at")
    search_fields = ("file_name", "id")
    date_hierarchy = "created_at"
    readonly_fields = [field.name for field in UsageProfile._meta.fields] + ["dashboard"]

    @admin.display(description=_("dashboard"))
    def dashboard(self, obj: UsageProfile) -> str:
        return format_html('<a href="{}">open</a>', obj.get_absolute_url())

    def has_add_permission(self, request) -> bool:
        return False  # profiles come from uploads only

    def has_change_permission(self, request, obj=None) -> bool:
        return False
