"""Controlled vocabularies of the padrón. Stored values are the domain's Spanish slugs (they
appear in billing files, QGIS styles and reports); labels are translatable Spanish text."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Tariff(models.TextChoices):
    # Utilities with one domestic class use DOMESTIC; others split it by neighbourhood level.
    DOMESTIC = "domestico", _("Doméstico")
    DOMESTIC_POPULAR = "domestico_popular", _("Doméstico popular")
    DOMESTIC_MEDIUM = "domestico_medio", _("Doméstico medio")
    DOMESTIC_RESIDENTIAL = "domestico_residencial", _("Doméstico residencial")
    COMMERCIAL = "comercial", _("Comercial")
    INDUSTRIAL = "industrial", _("Industrial")
    MIXED = "mixto", _("Mixto")
    PUBLIC_SERVICE = "servicios_publicos", _("Servicios públicos")

    @classmethod
    def domestic(cls) -> tuple[str, ...]:
        return (cls.DOMESTIC, cls.DOMESTIC_POPULAR, cls.DOMESTIC_MEDIUM, cls.DOMESTIC_RESIDENTIAL)


class AccountStatus(models.TextChoices):
    ACTIVE = "activo", _("Activo")
    RESTRICTED = "restringido", _("Restringido")
    SUSPENDED = "suspendido", _("Suspendido / cortado")
    TEMPORARILY_CLOSED = "baja_temporal", _("Baja temporal")
    CLOSED = "baja_definitiva", _("Baja definitiva")


class LinkMethod(models.TextChoices):
    CADASTRAL_KEY = "clave_catastral", _("Clave catastral")
    COORDINATES = "coordenadas", _("Coordenadas de la toma")
    ADDRESS = "direccion", _("Dirección")
    INTERPOLATION = "interpolacion", _("Interpolación de número")
    ROUTE = "ruta_lectura", _("Desempate por ruta de lectura")
    FRONTAGE = "frente", _("Frente del predio")
    MANUAL = "manual", _("Asignado por una persona")


class LandUse(models.TextChoices):
    RESIDENTIAL = "habitacional", _("Habitacional")
    COMMERCIAL = "comercial", _("Comercial")
    INDUSTRIAL = "industrial", _("Industrial")
    MIXED = "mixto", _("Mixto")
    PUBLIC = "equipamiento", _("Equipamiento público")
    VACANT = "baldio", _("Baldío")


class StreetType(models.TextChoices):
    STREET = "calle", _("Calle")
    AVENUE = "avenida", _("Avenida")
    BOULEVARD = "boulevard", _("Boulevard")
    CAUSEWAY = "calzada", _("Calzada")
    PRIVATE = "privada", _("Privada")
    EXTENSION = "prolongacion", _("Prolongación")
    ALLEY = "callejon", _("Callejón")
    CLOSE = "cerrada", _("Cerrada")
    CIRCUIT = "circuito", _("Circuito")
    WALKWAY = "andador", _("Andador")
    ROAD = "carretera", _("Carretera")


class SettlementType(models.TextChoices):
    COLONIA = "colonia", _("Colonia")
    DEVELOPMENT = "fraccionamiento", _("Fraccionamiento")
    NEIGHBOURHOOD = "barrio", _("Barrio")
    HOUSING_UNIT = "unidad_habitacional", _("Unidad habitacional")
    EJIDO = "ejido", _("Ejido")
    HAMLET = "rancheria", _("Ranchería")
    DOWNTOWN = "centro", _("Zona centro")


class MeterState(models.TextChoices):
    WORKING = "funcionando", _("Funcionando")
    DAMAGED = "danado", _("Dañado")
    INACCESSIBLE = "inaccesible", _("Enterrado / inaccesible")
    REMOVED = "retirado", _("Retirado")


class MeterDiameter(models.TextChoices):
    HALF = "1/2", '½"'
    THREE_QUARTERS = "3/4", '¾"'
    ONE = "1", '1"'
    ONE_AND_HALF = "1 1/2", '1½"'
    TWO = "2", '2"'
    THREE = "3", '3"'
    FOUR = "4", '4"'


class SuspensionKind(models.TextChoices):
    RESTRICTION = "restriccion", _("Restricción")
    CUT = "corte", _("Corte / suspensión")
    RECONNECTION = "reconexion", _("Reconexión")


class SuspensionReason(models.TextChoices):
    ARREARS = "adeudo", _("Adeudo")
    USER_REQUEST = "solicitud_usuario", _("Solicitud del usuario")
    IRREGULAR = "toma_irregular", _("Toma irregular")
    PAYMENT = "pago", _("Pago o convenio")
    OTHER = "otro", _("Otro")


class HolderRelation(models.TextChoices):
    OWNER = "propietario", _("Propietario")
    TENANT = "arrendatario", _("Arrendatario")
    OTHER = "otro", _("Otro")


class ReadingPeriodicity(models.TextChoices):
    MONTHLY = "mensual", _("Mensual")
    BIMONTHLY = "bimestral", _("Bimestral")
