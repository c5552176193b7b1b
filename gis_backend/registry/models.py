"""The padrón de usuarios: parcels, street segments, accounts, holders, meters and their facts.

Truths that must hold whatever client edits the tables (Django, QGIS, psql) are database
constraints or triggers (see ``sql/``), not only Python validation.
"""

from django.conf import settings
from django.contrib.gis.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gis_backend.registry import choices

SRID = settings.STORAGE_SRID


class Colonia(models.Model):
    name = models.CharField(_("nombre"), max_length=150)
    name_normalized = models.CharField(_("nombre normalizado"), max_length=150, db_index=True)
    settlement_type = models.CharField(
        _("tipo de asentamiento"),
        max_length=30,
        choices=choices.SettlementType.choices,
        default=choices.SettlementType.COLONIA,
        db_default=choices.SettlementType.COLONIA,
    )
    postal_code = models.CharField(_("código postal"), max_length=5, blank=True, db_default="")
    geom = models.MultiPolygonField(_("geometría"), srid=SRID, null=True, blank=True)

    class Meta:
        verbose_name = _("colonia")
        verbose_name_plural = _("colonias")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["settlement_type", "name_normalized", "postal_code"],
                name="colonia_unique_type_name_cp",
            ),
            models.CheckConstraint(
                condition=Q(postal_code="") | Q(postal_code__regex=r"^[0-9]{5}$"),
                name="colonia_postal_code_5_digits",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Sector(models.Model):
    # Long enough for a sector's name, which some billing systems write as its code.
    code = models.CharField(_("clave"), max_length=60, unique=True)
    name = models.CharField(_("nombre"), max_length=100, blank=True, db_default="")
    geom = models.MultiPolygonField(_("geometría"), srid=SRID, null=True, blank=True)

    class Meta:
        verbose_name = _("sector")
        verbose_name_plural = _("sectores")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name or self.code


class ReadingRoute(models.Model):
    sector = models.ForeignKey(
        Sector, verbose_name=_("sector"), on_delete=models.PROTECT, related_name="routes"
    )
    # Long enough for a route's name ('RUTA 12 LECTURA MENSUAL NORTE'), written as its code.
    code = models.CharField(_("ruta / libro"), max_length=60)
    periodicity = models.CharField(
        _("periodo de lectura"),
        max_length=10,
        choices=choices.ReadingPeriodicity.choices,
        default=choices.ReadingPeriodicity.MONTHLY,
        db_default=choices.ReadingPeriodicity.MONTHLY,
    )
    reader = models.CharField(_("lecturista"), max_length=100, blank=True, db_default="")
    geom = models.MultiPolygonField(_("geometría"), srid=SRID, null=True, blank=True)

    class Meta:
        verbose_name = _("ruta de lectura")
        verbose_name_plural = _("rutas de lectura")
        ordering = ["sector__code", "code"]
        constraints = [
            models.UniqueConstraint(fields=["sector", "code"], name="route_unique_per_sector")
        ]

    def __str__(self) -> str:
        return f"{self.sector.code}-{self.code}"


class Parcel(models.Model):
    cadastral_key = models.CharField(_("clave catastral"), max_length=40, unique=True)
    geom = models.MultiPolygonField(_("geometría"), srid=SRID)
    built_area = models.DecimalField(
        _("superficie construida (m²)"), max_digits=12, decimal_places=2, default=0, db_default=0
    )
    land_use = models.CharField(
        _("uso de suelo"), max_length=20, choices=choices.LandUse.choices, blank=True, db_default=""
    )
    street = models.CharField(_("calle oficial"), max_length=150, blank=True, db_default="")
    number = models.CharField(_("número oficial"), max_length=20, blank=True, db_default="")
    colonia = models.ForeignKey(
        Colonia,
        verbose_name=_("colonia"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="parcels",
    )
    dwellings = models.PositiveIntegerField(_("número de viviendas"), default=0, db_default=0)
    block_key = models.CharField(_("manzana catastral"), max_length=20, blank=True, db_default="")
    inegi_ageb = models.CharField(_("AGEB INEGI"), max_length=4, blank=True, db_default="")
    inegi_block = models.CharField(_("manzana INEGI"), max_length=3, blank=True, db_default="")
    attributes = models.JSONField(
        _("otros atributos del archivo de origen"), default=dict, blank=True
    )

    class Meta:
        verbose_name = _("predio")
        verbose_name_plural = _("predios")
        ordering = ["cadastral_key"]
        constraints = [
            models.CheckConstraint(condition=Q(built_area__gte=0), name="parcel_built_area_gte_0"),
            models.CheckConstraint(
                condition=Q(cadastral_key__regex=r"\S"), name="parcel_cadastral_key_not_blank"
            ),
        ]

    def __str__(self) -> str:
        return self.cadastral_key


class StreetSegment(models.Model):
    name = models.CharField(_("nombre como está escrito"), max_length=150)
    name_normalized = models.CharField(_("nombre normalizado"), max_length=150, db_index=True)
    street_type = models.CharField(
        _("tipo de vialidad"),
        max_length=20,
        choices=choices.StreetType.choices,
        blank=True,
        db_default="",
    )
    colonia = models.ForeignKey(
        Colonia,
        verbose_name=_("colonia"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="segments",
    )
    geom = models.LineStringField(_("geometría"), srid=SRID)
    left_from = models.IntegerField(_("número izquierdo inicial"), null=True, blank=True)
    left_to = models.IntegerField(_("número izquierdo final"), null=True, blank=True)
    right_from = models.IntegerField(_("número derecho inicial"), null=True, blank=True)
    right_to = models.IntegerField(_("número derecho final"), null=True, blank=True)
    source_key = models.CharField(
        _("identificador de origen"),
        max_length=64,
        unique=True,
        null=True,
        blank=True,
        help_text=_("Identificador del tramo en el archivo de origen, o huella de su geometría."),
    )
    attributes = models.JSONField(
        _("otros atributos del archivo de origen"), default=dict, blank=True
    )

    class Meta:
        verbose_name = _("tramo de calle")
        verbose_name_plural = _("tramos de calle")
        ordering = ["name_normalized", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(left_from__isnull=True, left_to__isnull=True)
                | Q(left_from__gte=0, left_to__gte=0),
                name="segment_left_range_complete",
            ),
            models.CheckConstraint(
                condition=Q(right_from__isnull=True, right_to__isnull=True)
                | Q(right_from__gte=0, right_to__gte=0),
                name="segment_right_range_complete",
            ),
            models.CheckConstraint(condition=Q(name__regex=r"\S"), name="segment_name_not_blank"),
        ]

    def __str__(self) -> str:
        return self.name


class Holder(models.Model):
    """Personal data of an account holder (titular), kept apart so it can be protected."""

    full_name = models.CharField(_("nombre completo"), max_length=200)
    rfc = models.CharField(_("RFC"), max_length=13, blank=True, db_default="")
    curp = models.CharField(_("CURP"), max_length=18, blank=True, db_default="")
    phone = models.CharField(_("teléfono"), max_length=20, blank=True, db_default="")
    email = models.EmailField(_("correo electrónico"), blank=True, db_default="")
    notification_address = models.CharField(
        _("domicilio para notificaciones"), max_length=250, blank=True, db_default=""
    )
    relation = models.CharField(
        _("relación con el predio"),
        max_length=20,
        choices=choices.HolderRelation.choices,
        default=choices.HolderRelation.OWNER,
        db_default=choices.HolderRelation.OWNER,
    )

    class Meta:
        verbose_name = _("titular")
        verbose_name_plural = _("titulares")
        constraints = [
            models.CheckConstraint(
                condition=Q(rfc="") | Q(rfc__regex=r"^[A-ZÑ&]{3,4}[0-9]{6}[A-Z0-9]{3}$"),
                name="holder_rfc_format",
            ),
            models.CheckConstraint(
                condition=Q(curp="")
                | Q(curp__regex=r"^[A-Z]{4}[0-9]{6}[HMX][A-Z]{5}[A-Z0-9][0-9]$"),
                name="holder_curp_format",
            ),
        ]

    def __str__(self) -> str:
        # Never the name: string forms end up in logs and admin history.
        return f"Titular #{self.pk}"


class Account(models.Model):
    number = models.CharField(_("número de cuenta"), max_length=30, unique=True)
    holder = models.ForeignKey(
        Holder,
        verbose_name=_("titular"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="accounts",
    )
    tariff = models.CharField(_("tarifa"), max_length=30, choices=choices.Tariff.choices)
    # A SCIAN code, or the business as billing systems write it ('TORTILLERIA').
    giro = models.CharField(_("giro (SCIAN)"), max_length=60, blank=True, db_default="")
    status = models.CharField(
        _("estatus"),
        max_length=20,
        choices=choices.AccountStatus.choices,
        default=choices.AccountStatus.ACTIVE,
        db_default=choices.AccountStatus.ACTIVE,
    )
    service_water = models.BooleanField(_("agua"), default=True, db_default=True)
    service_sewer = models.BooleanField(_("drenaje"), default=True, db_default=True)
    service_sanitation = models.BooleanField(_("saneamiento"), default=False, db_default=False)
    metered = models.BooleanField(_("servicio medido"), default=True, db_default=True)
    dwellings = models.PositiveIntegerField(
        _("viviendas o locales servidos"), default=1, db_default=1
    )
    opened_on = models.DateField(_("fecha de alta"), null=True, blank=True)
    closed_on = models.DateField(_("fecha de baja"), null=True, blank=True)
    # Billing address exactly as the billing system holds it (messy on purpose).
    billing_street = models.CharField(
        _("calle (facturación)"), max_length=150, blank=True, db_default=""
    )
    billing_ext_number = models.CharField(
        _("número exterior"), max_length=20, blank=True, db_default=""
    )
    billing_int_number = models.CharField(
        _("número interior"), max_length=20, blank=True, db_default=""
    )
    billing_colonia = models.CharField(
        _("colonia (facturación)"), max_length=150, blank=True, db_default=""
    )
    billing_postal_code = models.CharField(
        _("código postal"), max_length=5, blank=True, db_default=""
    )
    billing_cadastral_key = models.CharField(
        _("clave catastral (facturación)"), max_length=40, blank=True, db_default=""
    )
    sector = models.ForeignKey(
        Sector, verbose_name=_("sector"), on_delete=models.PROTECT, null=True, blank=True
    )
    route = models.ForeignKey(
        ReadingRoute,
        verbose_name=_("ruta de lectura"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    connection_point = models.PointField(
        _("ubicación de la toma"), srid=SRID, null=True, blank=True
    )
    attributes = models.JSONField(
        _("otros atributos del archivo de origen"), default=dict, blank=True
    )

    class Meta:
        verbose_name = _("cuenta")
        verbose_name_plural = _("cuentas")
        ordering = ["number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(number__regex=r"\S"), name="account_number_not_blank"
            ),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True)
                | Q(opened_on__isnull=True)
                | Q(closed_on__gte=models.F("opened_on")),
                name="account_closed_after_opened",
            ),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True)
                | Q(status__in=["baja_temporal", "baja_definitiva"]),
                name="account_closed_only_when_baja",
            ),
            models.CheckConstraint(condition=Q(dwellings__gte=1), name="account_dwellings_gte_1"),
        ]
        indexes = [models.Index(fields=["status", "tariff"], name="account_status_tariff_idx")]

    def __str__(self) -> str:
        return self.number


class AccountLink(models.Model):
    """Where an account sits: its parcel and its street segment, with method and confidence.

    A narrow table apart from ``Account`` so that linking runs rewrite a few columns, not the
    wide account rows (see ../shared/PERF.md). A link a person set or verified is never
    overwritten by an automatic run (the linker's SQL keeps verified parcel and segment links;
    see gis_backend/linking/queries/link.sql)."""

    account = models.OneToOneField(
        Account,
        verbose_name=_("cuenta"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="link",
    )
    parcel = models.ForeignKey(
        Parcel,
        verbose_name=_("predio"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="account_links",
    )
    parcel_method = models.CharField(
        _("método de vinculación al predio"),
        max_length=20,
        choices=choices.LinkMethod.choices,
        blank=True,
        db_default="",
    )
    parcel_score = models.FloatField(_("confianza del vínculo al predio"), null=True, blank=True)
    parcel_verified = models.BooleanField(
        _("predio verificado por una persona"), default=False, db_default=False
    )
    segment = models.ForeignKey(
        StreetSegment,
        verbose_name=_("tramo"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="account_links",
    )
    segment_method = models.CharField(
        _("método de vinculación al tramo"),
        max_length=20,
        choices=choices.LinkMethod.choices,
        blank=True,
        db_default="",
    )
    segment_score = models.FloatField(_("confianza del vínculo al tramo"), null=True, blank=True)
    segment_verified = models.BooleanField(
        _("tramo verificado por una persona"), default=False, db_default=False
    )
    candidates = models.JSONField(_("candidatos en competencia"), default=list, blank=True)
    unlinked_reason = models.CharField(
        _("motivo de no vinculación"), max_length=200, blank=True, db_default=""
    )
    updated_at = models.DateTimeField(_("actualizado"), auto_now=True)

    class Meta:
        verbose_name = _("vínculo de cuenta")
        verbose_name_plural = _("vínculos de cuentas")
        constraints = [
            models.CheckConstraint(
                condition=Q(parcel_score__isnull=True)
                | Q(parcel_score__gte=0, parcel_score__lte=1),
                name="link_parcel_score_0_1",
            ),
            models.CheckConstraint(
                condition=Q(segment_score__isnull=True)
                | Q(segment_score__gte=0, segment_score__lte=1),
                name="link_segment_score_0_1",
            ),
            models.CheckConstraint(
                condition=Q(parcel__isnull=True) | ~Q(parcel_method=""),
                name="link_parcel_has_method",
            ),
            models.CheckConstraint(
                condition=Q(segment__isnull=True) | ~Q(segment_method=""),
                name="link_segment_has_method",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account_id} → {self.parcel_id}"


class Meter(models.Model):
    serial = models.CharField(_("número de serie"), max_length=40, unique=True)
    brand = models.CharField(_("marca"), max_length=50, blank=True, db_default="")
    model = models.CharField(_("modelo"), max_length=50, blank=True, db_default="")
    diameter = models.CharField(
        _("diámetro"),
        max_length=6,
        choices=choices.MeterDiameter.choices,
        default="1/2",
        db_default="1/2",
    )
    state = models.CharField(
        _("estado"),
        max_length=20,
        choices=choices.MeterState.choices,
        default=choices.MeterState.WORKING,
        db_default=choices.MeterState.WORKING,
    )
    installed_on = models.DateField(_("fecha de instalación"), null=True, blank=True)
    location = models.PointField(_("ubicación"), srid=SRID, null=True, blank=True)
    # A foreign key, so a meter can never hang from two accounts at once.
    account = models.ForeignKey(
        Account,
        verbose_name=_("cuenta"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="meters",
    )

    class Meta:
        verbose_name = _("medidor")
        verbose_name_plural = _("medidores")
        ordering = ["serial"]
        constraints = [
            models.CheckConstraint(condition=Q(serial__regex=r"\S"), name="meter_serial_not_blank"),
            # One installed (not removed) meter per account.
            models.UniqueConstraint(
                fields=["account"],
                condition=~Q(state="retirado") & Q(account__isnull=False),
                name="meter_one_installed_per_account",
            ),
        ]

    def __str__(self) -> str:
        return self.serial


class Reading(models.Model):
    meter = models.ForeignKey(
        Meter, verbose_name=_("medidor"), on_delete=models.CASCADE, related_name="readings"
    )
    account = models.ForeignKey(
        Account, verbose_name=_("cuenta"), on_delete=models.CASCADE, related_name="readings"
    )
    period = models.DateField(_("periodo"))
    value = models.DecimalField(_("lectura (m³)"), max_digits=10, decimal_places=1)
    consumption = models.DecimalField(_("consumo (m³)"), max_digits=10, decimal_places=1)
    estimated = models.BooleanField(_("estimada"), default=False, db_default=False)

    class Meta:
        verbose_name = _("lectura")
        verbose_name_plural = _("lecturas")
        ordering = ["meter", "period"]
        constraints = [
            models.UniqueConstraint(fields=["meter", "period"], name="reading_unique_meter_period"),
            models.CheckConstraint(condition=Q(value__gte=0), name="reading_value_gte_0"),
            models.CheckConstraint(
                condition=Q(consumption__gte=0), name="reading_consumption_gte_0"
            ),
            models.CheckConstraint(
                condition=Q(period__day=1), name="reading_period_first_of_month"
            ),
        ]
        indexes = [models.Index(fields=["account", "period"], name="reading_account_period_idx")]

    def __str__(self) -> str:
        return f"{self.meter_id} {self.period:%Y-%m}"


class CollectionSnapshot(models.Model):
    """Balance of an account at a cut-off date, as the billing system reports it."""

    account = models.ForeignKey(
        Account, verbose_name=_("cuenta"), on_delete=models.CASCADE, related_name="collections"
    )
    as_of = models.DateField(_("fecha de corte"))
    balance = models.DecimalField(_("saldo"), max_digits=12, decimal_places=2)
    months_overdue = models.PositiveIntegerField(_("meses de adeudo"), default=0, db_default=0)
    days_overdue = models.PositiveIntegerField(_("días de atraso"), default=0, db_default=0)
    last_payment_on = models.DateField(_("fecha del último pago"), null=True, blank=True)
    last_payment_amount = models.DecimalField(
        _("monto del último pago"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    payment_agreement = models.BooleanField(
        _("con convenio de pago"), default=False, db_default=False
    )

    class Meta:
        verbose_name = _("saldo de cobranza")
        verbose_name_plural = _("saldos de cobranza")
        ordering = ["account", "-as_of"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "as_of"], name="collection_unique_account_date"
            ),
            models.CheckConstraint(
                condition=Q(months_overdue=0) | Q(balance__gt=0),
                name="collection_overdue_has_balance",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account_id} {self.as_of}"


class SuspensionEvent(models.Model):
    account = models.ForeignKey(
        Account, verbose_name=_("cuenta"), on_delete=models.CASCADE, related_name="suspensions"
    )
    kind = models.CharField(_("tipo"), max_length=20, choices=choices.SuspensionKind.choices)
    occurred_on = models.DateField(_("fecha"))
    reason = models.CharField(
        _("motivo"),
        max_length=30,
        choices=choices.SuspensionReason.choices,
        blank=True,
        db_default="",
    )
    notes = models.TextField(_("observaciones"), blank=True, db_default="")

    class Meta:
        verbose_name = _("evento de suspensión")
        verbose_name_plural = _("eventos de suspensión")
        ordering = ["account", "occurred_on"]
        indexes = [models.Index(fields=["kind", "occurred_on"], name="suspension_kind_date_idx")]

    def __str__(self) -> str:
        return f"{self.account_id} {self.kind} {self.occurred_on}"


class RegistryHistory(models.Model):
    """One row per inserted, updated or deleted registry row, written by database triggers."""

    table_name = models.CharField(_("tabla"), max_length=63)
    row_id = models.CharField(_("registro"), max_length=40)
    action = models.CharField(
        _("acción"),
        max_length=1,
        choices=[("I", _("alta")), ("U", _("cambio")), ("D", _("baja"))],
    )
    changed_at = models.DateTimeField(_("fecha"))
    changed_by = models.CharField(_("usuario"), max_length=150)
    # The database role of the session that made the change. ``changed_by`` comes from the
    # padrón.actor setting, which any session may set; the role is what PostgreSQL
    # authenticated, so a change is always traceable to the login that made it.
    db_role = models.CharField(_("rol de base de datos"), max_length=63, default="", db_default="")
    old = models.JSONField(_("antes"), null=True)
    new = models.JSONField(_("después"), null=True)

    class Meta:
        verbose_name = _("historial del padrón")
        verbose_name_plural = _("historial del padrón")
        ordering = ["-changed_at", "-id"]
        indexes = [models.Index(fields=["table_name", "row_id"], name="history_table_row_idx")]

    def __str__(self) -> str:
        return f"{self.table_name}#{self.row_id} {self.action}"
