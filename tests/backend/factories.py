"""factory_boy factories for the registry, with geometry in EPSG:32614 around Cortazar, Gto.

Each factory builds a valid row (it passes every database constraint); tests change one field to
show which rule rejects it. Geometry is laid out on a grid so that rows do not overlap. Call
``XFactory.create(...)`` in typed code: it is typed as returning the model instance.
"""

import datetime
from decimal import Decimal

import factory
from django.contrib.gis.geos import LineString, MultiPolygon, Point, Polygon
from factory.django import DjangoModelFactory

from gis_backend.registry import choices, models

SRID = 32614
# Jardín Principal of Cortazar, Guanajuato, in WGS 84 / UTM 14N.
CORTAZAR_X = 295572.0
CORTAZAR_Y = 2265823.0


def grid_origin(n: int, cell: float = 25.0, columns: int = 40) -> tuple[float, float]:
    """South-west corner of the n-th cell of a grid that starts at the town centre."""
    return CORTAZAR_X + (n % columns) * cell, CORTAZAR_Y + (n // columns) * cell


def square(x: float, y: float, size: float = 20.0) -> MultiPolygon:
    ring = ((x, y), (x + size, y), (x + size, y + size), (x, y + size), (x, y))
    return MultiPolygon(Polygon(ring), srid=SRID)


def bowtie(x: float = CORTAZAR_X, y: float = CORTAZAR_Y, size: float = 20.0) -> MultiPolygon:
    """A self-intersecting ring, as a careless digitiser draws it: not a valid polygon."""
    ring = ((x, y), (x + size, y + size), (x + size, y), (x, y + size), (x, y))
    return MultiPolygon(Polygon(ring), srid=SRID)


def first_of_month(n: int, start: datetime.date = datetime.date(2024, 1, 1)) -> datetime.date:
    months = start.year * 12 + start.month - 1 + n
    return datetime.date(months // 12, months % 12 + 1, 1)


class ColoniaFactory(DjangoModelFactory[models.Colonia]):
    class Meta:
        model = models.Colonia

    name = factory.Sequence(lambda n: f"Colonia Número {n}")
    name_normalized = factory.LazyAttribute(lambda o: o.name.upper().replace("Ú", "U"))
    settlement_type = choices.SettlementType.COLONIA
    postal_code = "38300"
    geom = factory.Sequence(lambda n: square(*grid_origin(n, cell=500.0, columns=10), size=480.0))


class SectorFactory(DjangoModelFactory[models.Sector]):
    class Meta:
        model = models.Sector

    code = factory.Sequence(lambda n: f"S{n:02d}")
    name = factory.Sequence(lambda n: f"Sector {n}")
    geom = factory.Sequence(lambda n: square(*grid_origin(n, cell=1000.0, columns=5), size=990.0))


class ReadingRouteFactory(DjangoModelFactory[models.ReadingRoute]):
    class Meta:
        model = models.ReadingRoute

    sector = factory.SubFactory(SectorFactory)
    code = factory.Sequence(lambda n: f"R{n:03d}")
    periodicity = choices.ReadingPeriodicity.MONTHLY
    reader = "Lecturista 1"
    geom = None


class ParcelFactory(DjangoModelFactory[models.Parcel]):
    class Meta:
        model = models.Parcel

    cadastral_key = factory.Sequence(lambda n: f"11-011-001-{n // 100:03d}-{n % 100:03d}")
    geom = factory.Sequence(lambda n: square(*grid_origin(n)))
    built_area = Decimal("90.00")
    land_use = choices.LandUse.RESIDENTIAL
    street = "Calle Hidalgo"
    number = factory.Sequence(lambda n: str(100 + n))
    colonia = factory.SubFactory(ColoniaFactory)
    dwellings = 1
    block_key = "001"
    inegi_ageb = "0123"
    inegi_block = "005"


class StreetSegmentFactory(DjangoModelFactory[models.StreetSegment]):
    class Meta:
        model = models.StreetSegment

    name = "C. Hidalgo"
    name_normalized = "HIDALGO"
    street_type = choices.StreetType.STREET
    colonia = factory.SubFactory(ColoniaFactory)
    geom = factory.Sequence(
        lambda n: LineString(
            (CORTAZAR_X, CORTAZAR_Y - 5 - 25 * n),
            (CORTAZAR_X + 100, CORTAZAR_Y - 5 - 25 * n),
            srid=SRID,
        )
    )
    left_from = 1
    left_to = 99
    right_from = 2
    right_to = 100


class HolderFactory(DjangoModelFactory[models.Holder]):
    class Meta:
        model = models.Holder

    full_name = factory.Faker("name", locale="es_MX")
    rfc = factory.Sequence(lambda n: f"GOMA{800101 + n % 28:06d}AB{n % 10}")
    curp = ""
    phone = factory.Sequence(lambda n: f"411155{n % 10000:04d}")
    email = ""
    notification_address = "Calle Hidalgo 100, Zona Centro, Cortazar, Gto."
    relation = choices.HolderRelation.OWNER


class AccountFactory(DjangoModelFactory[models.Account]):
    class Meta:
        model = models.Account

    number = factory.Sequence(lambda n: f"01-{n:06d}")
    holder = factory.SubFactory(HolderFactory)
    tariff = choices.Tariff.DOMESTIC_POPULAR
    status = choices.AccountStatus.ACTIVE
    metered = True
    dwellings = 1
    opened_on = datetime.date(2015, 3, 1)
    closed_on = None
    billing_street = "C. Hidalgo"
    billing_ext_number = factory.Sequence(lambda n: str(100 + n))
    billing_colonia = "Zona Centro"
    billing_postal_code = "38300"
    sector = None
    route = None
    connection_point = factory.Sequence(
        lambda n: Point(grid_origin(n)[0] + 10, grid_origin(n)[1] - 1, srid=SRID)
    )


class AccountLinkFactory(DjangoModelFactory[models.AccountLink]):
    class Meta:
        model = models.AccountLink

    account = factory.SubFactory(AccountFactory)
    parcel = factory.SubFactory(ParcelFactory)
    parcel_method = choices.LinkMethod.CADASTRAL_KEY
    parcel_score = 1.0
    segment = None
    segment_method = ""
    segment_score = None


class MeterFactory(DjangoModelFactory[models.Meter]):
    class Meta:
        model = models.Meter

    serial = factory.Sequence(lambda n: f"CIC-{n:07d}")
    brand = "Cicasa"
    model = "Chorro único"
    diameter = choices.MeterDiameter.HALF
    state = choices.MeterState.WORKING
    installed_on = datetime.date(2019, 6, 1)
    location = None
    account = factory.SubFactory(AccountFactory)


class ReadingFactory(DjangoModelFactory[models.Reading]):
    class Meta:
        model = models.Reading

    meter = factory.SubFactory(MeterFactory)
    account = factory.SelfAttribute("meter.account")
    period = factory.Sequence(first_of_month)
    value = factory.Sequence(lambda n: Decimal(100 + 15 * n))
    consumption = Decimal("15.0")
    estimated = False


class CollectionSnapshotFactory(DjangoModelFactory[models.CollectionSnapshot]):
    class Meta:
        model = models.CollectionSnapshot

    account = factory.SubFactory(AccountFactory)
    as_of = factory.Sequence(first_of_month)
    balance = Decimal("412.50")
    months_overdue = 2
    days_overdue = 45
    last_payment_on = datetime.date(2023, 11, 15)
    last_payment_amount = Decimal("180.00")
    payment_agreement = False


class SuspensionEventFactory(DjangoModelFactory[models.SuspensionEvent]):
    class Meta:
        model = models.SuspensionEvent

    account = factory.SubFactory(AccountFactory)
    kind = choices.SuspensionKind.CUT
    occurred_on = datetime.date(2024, 2, 12)
    reason = choices.SuspensionReason.ARREARS
    notes = ""
