from django.contrib import admin

from gis_backend.access.models import PersonalDataAccess


@admin.register(PersonalDataAccess)
class PersonalDataAccessAdmin(admin.ModelAdmin):
    """Read-only: the log is evidence, nobody edits it."""

    list_display = ("accessed_at", "username", "account_count", "endpoint")
    list_filter = ("username",)
    date_hierarchy = "accessed_at"
    readonly_fields = (
        "user",
        "username",
        "accessed_at",
        "endpoint",
        "account_ids",
        "account_count",
    )

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
