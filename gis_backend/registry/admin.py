"""Django admin for the padrón. Labels come from the models' Spanish ``verbose_name``.

Tables hold up to a million rows, so: no select widgets over big tables (raw id or autocomplete
widgets instead), related rows fetched with the list (``list_select_related``), no full count of
unfiltered tables, orderings an index can serve. Holders' personal data shows only in the Holder
admin and only to roles allowed to see it; elsewhere a holder is "Titular #id".
"""

import json
from typing import Any

from django.apps import apps
from django.contrib import admin
from django.contrib.gis.admin import GISModelAdmin
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from gis_backend.access.personal_data import log_personal_data_access, may_see_personal_data
from gis_backend.registry import models

# Map widgets open on Cortazar, Gto. (the widget takes lon/lat; the field stays in EPSG:32614).
CORTAZAR_MAP = {"attrs": {"default_lon": -100.9625, "default_lat": 20.4831, "default_zoom": 15}}

HIDDEN = _("(dato personal oculto)")


def log_holder_access(request: HttpRequest, holder_ids: list[Any]) -> None:
    """Log that this response shows the personal data of these holders (by their accounts)."""
    accounts = models.Account.objects.filter(holder_id__in=holder_ids)
    log_personal_data_access(request, list(accounts.values_list("id", flat=True)))


class RegistryAdmin(GISModelAdmin):
    """Defaults for registry tables: maps centred on the town, no full count of big tables."""

    gis_widget_kwargs = CORTAZAR_MAP
    show_full_result_count = False
    list_per_page = 50


# --- reference layers (small tables) ----------------------------------------------------------


@admin.register(models.Colonia)
class ColoniaAdmin(RegistryAdmin):
    list_display = ("name", "settlement_type", "postal_code")
    list_filter = ("settlement_type",)
    search_fields = ("name", "name_normalized", "postal_code")
    show_full_result_count = True


@admin.register(models.Sector)
class SectorAdmin(RegistryAdmin):
    list_display = ("code", "name")
    search_fields = ("code", "name")
    show_full_result_count = True


@admin.register(models.ReadingRoute)
class ReadingRouteAdmin(RegistryAdmin):
    list_display = ("__str__", "sector", "code", "periodicity", "reader")
    list_filter = ("periodicity", "sector")
    search_fields = ("code", "sector__code", "reader")
    list_select_related = ("sector",)
    autocomplete_fields = ("sector",)
    show_full_result_count = True


# --- parcels and streets ----------------------------------------------------------------------


@admin.register(models.Parcel)
class ParcelAdmin(RegistryAdmin):
    list_display = (
        "cadastral_key",
        "street",
        "number",
        "colonia",
        "land_use",
        "built_area",
        "dwellings",
    )
    list_filter = ("land_use",)
    search_fields = ("cadastral_key", "street")
    list_select_related = ("colonia",)
    autocomplete_fields = ("colonia",)
    readonly_fields = ("attributes",)


@admin.register(models.StreetSegment)
class StreetSegmentAdmin(RegistryAdmin):
    list_display = (
        "name",
        "name_normalized",
        "street_type",
        "colonia",
        "left_from",
        "left_to",
        "right_from",
        "right_to",
    )
    list_filter = ("street_type",)
    search_fields = ("name", "name_normalized", "=source_key")
    list_select_related = ("colonia",)
    autocomplete_fields = ("colonia",)
    readonly_fields = ("source_key", "attributes")


# --- holders: personal data -------------------------------------------------------------------


@admin.register(models.Holder)
class HolderAdmin(RegistryAdmin):
    """Only here do names, RFC, CURP and contact data appear, and only to allowed roles."""

    list_display = ("__str__", "full_name", "relation")
    list_filter = ("relation",)
    search_fields = ("full_name", "=rfc", "=curp", "=phone")

    def has_module_permission(self, request: HttpRequest) -> bool:
        return may_see_personal_data(request.user) and super().has_module_permission(request)

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return may_see_personal_data(request.user) and super().has_view_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return may_see_personal_data(request.user) and super().has_change_permission(request, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return may_see_personal_data(request.user) and super().has_add_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return may_see_personal_data(request.user) and super().has_delete_permission(request, obj)

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        response = super().changelist_view(request, extra_context)
        changelist = getattr(response, "context_data", {}).get("cl")
        if response.status_code == 200 and changelist is not None:
            log_holder_access(request, [holder.pk for holder in changelist.result_list])
        return response

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        response = super().change_view(request, object_id, form_url, extra_context)
        if request.method == "GET" and response.status_code == 200:
            log_holder_access(request, [object_id])
        return response


# --- accounts ---------------------------------------------------------------------------------


class AccountLinkInline(admin.StackedInline):
    model = models.AccountLink
    extra = 0
    raw_id_fields = ("parcel", "segment")
    readonly_fields = ("candidates", "unlinked_reason", "updated_at")
    fields = (
        ("parcel", "parcel_method", "parcel_score", "parcel_verified"),
        ("segment", "segment_method", "segment_score", "segment_verified"),
        "unlinked_reason",
        "candidates",
        "updated_at",
    )


class MeterInline(admin.TabularInline):
    model = models.Meter
    extra = 0
    fields = ("serial", "brand", "model", "diameter", "state", "installed_on")
    show_change_link = True


@admin.register(models.Account)
class AccountAdmin(RegistryAdmin):
    list_display = (
        "number",
        "status",
        "tariff",
        "metered",
        "dwellings",
        "sector",
        "route",
        "opened_on",
        "closed_on",
    )
    list_filter = (
        "status",
        "tariff",
        "metered",
        "service_sewer",
        "service_sanitation",
        "sector",
    )
    search_fields = ("number", "billing_cadastral_key", "billing_street")
    list_select_related = ("sector", "route__sector")
    raw_id_fields = ("holder",)
    autocomplete_fields = ("sector", "route")
    readonly_fields = ("attributes",)
    inlines = (AccountLinkInline, MeterInline)
    fieldsets = (
        (None, {"fields": ("number", "holder", "status", "tariff", "giro")}),
        (
            _("Servicios"),
            {
                "fields": (
                    ("service_water", "service_sewer", "service_sanitation"),
                    "metered",
                    "dwellings",
                    ("opened_on", "closed_on"),
                )
            },
        ),
        (
            _("Domicilio de facturación"),
            {
                "fields": (
                    ("billing_street", "billing_ext_number", "billing_int_number"),
                    ("billing_colonia", "billing_postal_code"),
                    "billing_cadastral_key",
                )
            },
        ),
        (_("Ubicación"), {"fields": (("sector", "route"), "connection_point")}),
        (_("Archivo de origen"), {"fields": ("attributes",), "classes": ("collapse",)}),
    )


@admin.register(models.AccountLink)
class AccountLinkAdmin(RegistryAdmin):
    list_display = (
        "account",
        "parcel",
        "parcel_method",
        "parcel_score",
        "parcel_verified",
        "segment",
        "segment_method",
        "segment_score",
        "segment_verified",
        "updated_at",
    )
    list_filter = ("parcel_method", "parcel_verified", "segment_method", "segment_verified")
    search_fields = ("=account__number", "=parcel__cadastral_key")
    list_select_related = ("account", "parcel", "segment")
    raw_id_fields = ("account", "parcel", "segment")
    readonly_fields = ("candidates", "updated_at")


@admin.register(models.Meter)
class MeterAdmin(RegistryAdmin):
    list_display = ("serial", "brand", "model", "diameter", "state", "installed_on", "account")
    list_filter = ("state", "diameter")
    search_fields = ("serial", "=account__number")
    list_select_related = ("account",)
    raw_id_fields = ("account",)


# --- facts: readings, balances, suspensions ---------------------------------------------------


@admin.register(models.Reading)
class ReadingAdmin(RegistryAdmin):
    list_display = ("meter", "account", "period", "value", "consumption", "estimated")
    list_filter = ("estimated",)
    search_fields = ("=meter__serial", "=account__number")
    list_select_related = ("meter", "account")
    raw_id_fields = ("meter", "account")
    # The unique (meter, period) index serves this; the model's ordering sorts by serial.
    ordering = ("meter_id", "period")


@admin.register(models.CollectionSnapshot)
class CollectionSnapshotAdmin(RegistryAdmin):
    list_display = (
        "account",
        "as_of",
        "balance",
        "months_overdue",
        "days_overdue",
        "last_payment_on",
        "payment_agreement",
    )
    list_filter = ("payment_agreement", "as_of")
    search_fields = ("=account__number",)
    list_select_related = ("account",)
    raw_id_fields = ("account",)
    ordering = ("account_id", "-as_of")


@admin.register(models.SuspensionEvent)
class SuspensionEventAdmin(RegistryAdmin):
    list_display = ("account", "kind", "occurred_on", "reason")
    list_filter = ("kind", "reason", "occurred_on")
    search_fields = ("=account__number",)
    list_select_related = ("account",)
    raw_id_fields = ("account",)
    ordering = ("account_id", "occurred_on")


# --- history (written by database triggers, never edited) -------------------------------------


def registry_models_by_table() -> dict[str, type[Model]]:
    return {model._meta.db_table: model for model in apps.get_app_config("registry").get_models()}


class HistoryTableFilter(admin.SimpleListFilter):
    """Tables listed from the models, not by a DISTINCT over millions of history rows."""

    title = _("tabla")
    parameter_name = "table_name"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [
            (table, model._meta.verbose_name_plural)
            for table, model in sorted(registry_models_by_table().items())
            if model is not models.RegistryHistory
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value():
            return queryset.filter(table_name=self.value())
        return queryset


@admin.register(models.RegistryHistory)
class RegistryHistoryAdmin(RegistryAdmin):
    list_display = ("changed_at", "changed_by", "db_role", "action", "table", "record", "columns")
    list_filter = ("action", HistoryTableFilter)
    search_fields = ("=row_id", "=changed_by", "=db_role")
    # Newest first by the primary key index (no index on changed_at; ids grow with time).
    ordering = ("-id",)
    fields = (
        "changed_at",
        "changed_by",
        "db_role",
        "action",
        "table",
        "record",
        "old_values",
        "new_values",
    )
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    @admin.display(description=_("tabla"), ordering="table_name")
    def table(self, obj: models.RegistryHistory) -> str:
        model = registry_models_by_table().get(obj.table_name)
        return str(model._meta.verbose_name) if model else obj.table_name

    @admin.display(description=_("registro"))
    def record(self, obj: models.RegistryHistory) -> str | SafeString:
        model = registry_models_by_table().get(obj.table_name)
        if model is None or obj.action == "D":
            return obj.row_id
        try:
            url = reverse(
                f"admin:{model._meta.app_label}_{model._meta.model_name}_change",
                args=[obj.row_id],
            )
        except NoReverseMatch:
            return obj.row_id
        return format_html('<a href="{}">{}</a>', url, obj.row_id)

    @admin.display(description=_("columnas"))
    def columns(self, obj: models.RegistryHistory) -> str:
        if obj.action != "U":
            return "—"
        return ", ".join(sorted((obj.new or obj.old or {}).keys()))

    def get_object(
        self, request: HttpRequest, object_id: str, from_field: str | None = None
    ) -> models.RegistryHistory | None:
        obj = super().get_object(request, object_id, from_field)
        if obj is not None:
            # Per request, on the instance (the admin object is shared between requests).
            shown = may_see_personal_data(request.user)
            obj.show_personal_data = shown  # type: ignore[attr-defined]
            if shown and obj.table_name == models.Holder._meta.db_table:
                log_holder_access(request, [obj.row_id])
        return obj

    @staticmethod
    def _values(obj: models.RegistryHistory, values: dict[str, Any] | None) -> SafeString:
        if values is None:
            return format_html("{}", "—")
        is_holder = obj.table_name == models.Holder._meta.db_table
        if is_holder and not getattr(obj, "show_personal_data", False):
            values = {key: str(HIDDEN) for key in values}
        text = json.dumps(values, ensure_ascii=False, indent=2, sort_keys=True)
        return format_html('<pre style="white-space: pre-wrap">{}</pre>', text)

    @admin.display(description=_("antes"))
    def old_values(self, obj: models.RegistryHistory) -> SafeString:
        return self._values(obj, obj.old)

    @admin.display(description=_("después"))
    def new_values(self, obj: models.RegistryHistory) -> SafeString:
        return self._values(obj, obj.new)
