"""The database itself refuses registry rows that break the padrón's rules.

Most statements here are plain SQL, as QGIS or psql would send them, so what is shown is that
PostgreSQL enforces the rule, not Django's validation. Each rejected statement runs in its own
``transaction.atomic()`` block so the test's transaction survives the error.
"""

import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.gis.geos import Point
from django.db import DataError, IntegrityError, transaction
from factory.django import DjangoModelFactory

from gis_backend.registry import choices
from gis_backend.registry.models import Account, Meter, Parcel
from tests.backend.factories import (
    CORTAZAR_X,
    CORTAZAR_Y,
    SRID,
    AccountFactory,
    AccountLinkFactory,
    CollectionSnapshotFactory,
    ColoniaFactory,
    MeterFactory,
    ParcelFactory,
    ReadingFactory,
    SectorFactory,
    StreetSegmentFactory,
    bowtie,
    square,
)

pytestmark = pytest.mark.django_db

Sql = Callable[..., list[tuple[Any, ...]]]

BOWTIE_WKT = bowtie().wkt


def insert_parcel_sql(sql: Sql, key: str, geom_sql: str, params: list[Any]) -> None:
    """Insert a parcel naming only the columns a QGIS user fills in (the rest are defaults)."""
    sql(
        f"INSERT INTO registry_parcel (cadastral_key, geom) VALUES (%s, {geom_sql})", [key, *params]
    )


# --- accounts ---------------------------------------------------------------------------------


def test_duplicate_account_number_is_rejected() -> None:
    AccountFactory.create(number="01-000777")

    with pytest.raises(IntegrityError, match="registry_account_number_key"), transaction.atomic():
        AccountFactory.create(number="01-000777")

    assert Account.objects.filter(number="01-000777").count() == 1


def test_duplicate_account_number_is_rejected_in_plain_sql(sql: Sql) -> None:
    AccountFactory.create(number="01-000778")

    with pytest.raises(IntegrityError, match="registry_account_number_key"), transaction.atomic():
        sql("INSERT INTO registry_account (number, tariff) VALUES ('01-000778', 'comercial')")

    assert Account.objects.filter(number="01-000778").count() == 1


def test_closing_date_before_opening_date_is_rejected(sql: Sql) -> None:
    account = AccountFactory.create(
        opened_on=datetime.date(2015, 3, 1), status=choices.AccountStatus.CLOSED
    )

    with pytest.raises(IntegrityError, match="account_closed_after_opened"), transaction.atomic():
        sql("UPDATE registry_account SET closed_on = '2015-02-28' WHERE id = %s", [account.pk])

    # The same account may be closed on or after the day it opened.
    sql("UPDATE registry_account SET closed_on = '2015-03-01' WHERE id = %s", [account.pk])
    account.refresh_from_db()
    assert account.closed_on == datetime.date(2015, 3, 1)


def test_closing_date_on_an_active_account_is_rejected(sql: Sql) -> None:
    account = AccountFactory.create(status=choices.AccountStatus.ACTIVE)

    with pytest.raises(IntegrityError, match="account_closed_only_when_baja"), transaction.atomic():
        sql("UPDATE registry_account SET closed_on = '2024-01-31' WHERE id = %s", [account.pk])

    # Setting the status to "baja definitiva" in the same statement makes it a valid closure.
    sql(
        "UPDATE registry_account SET closed_on = '2024-01-31', status = 'baja_definitiva' "
        "WHERE id = %s",
        [account.pk],
    )
    account.refresh_from_db()
    assert account.status == choices.AccountStatus.CLOSED


@pytest.mark.parametrize("dwellings", [0, -2])
def test_account_serving_no_dwelling_is_rejected(sql: Sql, dwellings: int) -> None:
    account = AccountFactory.create()

    with pytest.raises(IntegrityError, match="dwellings"), transaction.atomic():
        sql("UPDATE registry_account SET dwellings = %s WHERE id = %s", [dwellings, account.pk])


def test_blank_account_number_is_rejected(sql: Sql) -> None:
    with pytest.raises(IntegrityError, match="account_number_not_blank"), transaction.atomic():
        sql("INSERT INTO registry_account (number, tariff) VALUES ('   ', 'comercial')")


# --- meters -----------------------------------------------------------------------------------


def test_meter_serial_cannot_be_on_two_accounts() -> None:
    MeterFactory.create(serial="CIC-2020-0001", account=AccountFactory.create())
    other_account = AccountFactory.create()

    with pytest.raises(IntegrityError, match="registry_meter_serial_key"), transaction.atomic():
        MeterFactory.create(serial="CIC-2020-0001", account=other_account)

    assert not other_account.meters.exists()
    assert Meter.objects.filter(serial="CIC-2020-0001").count() == 1


def test_second_installed_meter_on_one_account_is_rejected(sql: Sql) -> None:
    first = MeterFactory.create(state=choices.MeterState.WORKING)

    with (
        pytest.raises(IntegrityError, match="meter_one_installed_per_account"),
        transaction.atomic(),
    ):
        sql(
            "INSERT INTO registry_meter (serial, account_id, state) VALUES ('M-NEW', %s, 'danado')",
            [first.account_id],
        )

    assert Meter.objects.filter(account=first.account).count() == 1


def test_retired_meter_may_stay_on_the_account_next_to_the_installed_one(sql: Sql) -> None:
    retired = MeterFactory.create(state=choices.MeterState.REMOVED)

    sql(
        "INSERT INTO registry_meter (serial, account_id, state) "
        "VALUES ('M-NEW', %s, 'funcionando')",
        [retired.account_id],
    )
    # Another retired meter is fine too: the history of replacements is kept.
    MeterFactory.create(account=retired.account, state=choices.MeterState.REMOVED)

    meters = Meter.objects.filter(account=retired.account)
    states = sorted(meters.values_list("state", flat=True))
    assert states == ["funcionando", "retirado", "retirado"]


# --- geometry ---------------------------------------------------------------------------------


def test_self_intersecting_parcel_is_rejected_in_plain_sql(sql: Sql) -> None:
    with pytest.raises(IntegrityError, match="parcel_geom_valid"), transaction.atomic():
        insert_parcel_sql(sql, "11-011-BOW-001", "ST_GeomFromText(%s, %s)", [BOWTIE_WKT, SRID])

    assert not Parcel.objects.filter(cadastral_key="11-011-BOW-001").exists()


def test_self_intersecting_parcel_is_rejected_through_the_orm() -> None:
    shape = bowtie()
    assert not shape.valid  # GEOS agrees the shape is invalid; Django would save it anyway.

    with pytest.raises(IntegrityError, match="parcel_geom_valid"), transaction.atomic():
        Parcel.objects.create(cadastral_key="11-011-BOW-002", geom=shape)


def test_editing_a_parcel_into_a_bowtie_is_rejected(sql: Sql) -> None:
    parcel = ParcelFactory.create()
    before = parcel.geom.wkt

    with pytest.raises(IntegrityError, match="parcel_geom_valid"), transaction.atomic():
        sql(
            "UPDATE registry_parcel SET geom = ST_GeomFromText(%s, %s) WHERE id = %s",
            [BOWTIE_WKT, SRID, parcel.pk],
        )

    parcel.refresh_from_db()
    assert parcel.geom.wkt == before


@pytest.mark.parametrize(
    ("factory", "table", "constraint"),
    [
        (ParcelFactory, "registry_parcel", "parcel_geom_valid"),
        (ColoniaFactory, "registry_colonia", "colonia_geom_valid"),
        (SectorFactory, "registry_sector", "sector_geom_valid"),
    ],
)
def test_empty_polygon_is_rejected(
    sql: Sql, factory: type[DjangoModelFactory[Any]], table: str, constraint: str
) -> None:
    row = factory.create()

    with pytest.raises(IntegrityError, match=constraint), transaction.atomic():
        sql(
            f"UPDATE {table} SET geom = ST_GeomFromText('MULTIPOLYGON EMPTY', %s) WHERE id = %s",
            [SRID, row.pk],
        )

    # Where the outline is optional, "no outline" is NULL, not an empty shape.
    if table != "registry_parcel":
        sql(f"UPDATE {table} SET geom = NULL WHERE id = %s", [row.pk])


def test_empty_street_segment_is_rejected(sql: Sql) -> None:
    segment = StreetSegmentFactory.create()

    with pytest.raises(IntegrityError, match="streetsegment_geom_valid"), transaction.atomic():
        sql(
            "UPDATE registry_streetsegment SET geom = ST_GeomFromText('LINESTRING EMPTY', %s) "
            "WHERE id = %s",
            [SRID, segment.pk],
        )


def test_geometry_in_another_crs_is_rejected_in_plain_sql(sql: Sql) -> None:
    """A QGIS layer saved in lon/lat must not slip degrees into a metric column."""
    lonlat = "MULTIPOLYGON(((-100.96 20.48, -100.959 20.48, -100.959 20.481, -100.96 20.48)))"

    with pytest.raises(DataError, match="SRID"), transaction.atomic():
        insert_parcel_sql(sql, "11-011-WGS-001", "ST_GeomFromText(%s, 4326)", [lonlat])

    assert not Parcel.objects.filter(cadastral_key="11-011-WGS-001").exists()


def test_orm_stores_lonlat_geometry_transformed_to_the_storage_crs() -> None:
    """Through Django a lon/lat point is not refused: it is reprojected to EPSG:32614."""
    account = AccountFactory.create(connection_point=Point(-100.9625, 20.4831, srid=4326))

    account.refresh_from_db()
    assert account.connection_point is not None
    assert account.connection_point.srid == SRID
    assert account.connection_point.distance(Point(CORTAZAR_X, CORTAZAR_Y, srid=SRID)) < 2_000


def test_valid_parcel_outline_is_accepted(sql: Sql) -> None:
    """The control for the rejections above: a plain square goes in."""
    insert_parcel_sql(
        sql,
        "11-011-OK-001",
        "ST_GeomFromText(%s, %s)",
        [square(CORTAZAR_X, CORTAZAR_Y).wkt, SRID],
    )

    parcel = Parcel.objects.get(cadastral_key="11-011-OK-001")
    assert parcel.geom.area == pytest.approx(400.0)


# --- links ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("column", "value", "constraint"),
    [
        ("parcel_score", 1.5, "link_parcel_score_0_1"),
        ("parcel_score", -0.1, "link_parcel_score_0_1"),
        ("segment_score", 1.01, "link_segment_score_0_1"),
    ],
)
def test_link_score_outside_zero_to_one_is_rejected(
    sql: Sql, column: str, value: float, constraint: str
) -> None:
    link = AccountLinkFactory.create()

    with pytest.raises(IntegrityError, match=constraint), transaction.atomic():
        sql(
            f"UPDATE registry_accountlink SET {column} = %s WHERE account_id = %s",
            [value, link.pk],
        )

    sql(f"UPDATE registry_accountlink SET {column} = 1.0 WHERE account_id = %s", [link.pk])


def test_link_to_a_parcel_without_method_is_rejected(sql: Sql) -> None:
    link = AccountLinkFactory.create()

    with pytest.raises(IntegrityError, match="link_parcel_has_method"), transaction.atomic():
        sql("UPDATE registry_accountlink SET parcel_method = '' WHERE account_id = %s", [link.pk])

    # Without a parcel, an empty method is what "not linked" looks like.
    sql(
        "UPDATE registry_accountlink SET parcel_id = NULL, parcel_method = '', parcel_score = NULL "
        "WHERE account_id = %s",
        [link.pk],
    )


def test_link_to_a_segment_without_method_is_rejected(sql: Sql) -> None:
    link = AccountLinkFactory.create()
    segment = StreetSegmentFactory.create()

    with pytest.raises(IntegrityError, match="link_segment_has_method"), transaction.atomic():
        sql(
            "UPDATE registry_accountlink SET segment_id = %s WHERE account_id = %s",
            [segment.pk, link.pk],
        )


# --- readings, balances, parcels: values ------------------------------------------------------


def test_reading_period_not_first_of_month_is_rejected(sql: Sql) -> None:
    reading = ReadingFactory.create(period=datetime.date(2024, 5, 1))

    with pytest.raises(IntegrityError, match="reading_period_first_of_month"), transaction.atomic():
        sql("UPDATE registry_reading SET period = '2024-05-15' WHERE id = %s", [reading.pk])


def test_second_reading_for_the_same_meter_and_month_is_rejected() -> None:
    reading = ReadingFactory.create(period=datetime.date(2024, 5, 1))

    with pytest.raises(IntegrityError, match="reading_unique_meter_period"), transaction.atomic():
        ReadingFactory.create(meter=reading.meter, period=datetime.date(2024, 5, 1))


@pytest.mark.parametrize(
    ("table", "column", "value", "constraint"),
    [
        ("registry_reading", "value", Decimal("-1.0"), "reading_value_gte_0"),
        ("registry_reading", "consumption", Decimal("-0.5"), "reading_consumption_gte_0"),
        ("registry_parcel", "built_area", Decimal("-10"), "parcel_built_area_gte_0"),
        ("registry_parcel", "dwellings", -1, "dwellings"),
        ("registry_collectionsnapshot", "months_overdue", -1, "months_overdue"),
        ("registry_collectionsnapshot", "days_overdue", -30, "days_overdue"),
        ("registry_streetsegment", "left_from", -5, "segment_left_range_complete"),
    ],
)
def test_negative_value_is_rejected(
    sql: Sql, table: str, column: str, value: Any, constraint: str
) -> None:
    factories: dict[str, type[DjangoModelFactory[Any]]] = {
        "registry_reading": ReadingFactory,
        "registry_parcel": ParcelFactory,
        "registry_collectionsnapshot": CollectionSnapshotFactory,
        "registry_streetsegment": StreetSegmentFactory,
    }
    row = factories[table].create()

    with pytest.raises(IntegrityError, match=constraint), transaction.atomic():
        sql(f"UPDATE {table} SET {column} = %s WHERE id = %s", [value, row.pk])

    sql(f"UPDATE {table} SET {column} = 0 WHERE id = %s", [row.pk])


def test_months_overdue_without_a_balance_is_rejected(sql: Sql) -> None:
    snapshot = CollectionSnapshotFactory.create(months_overdue=3, balance=Decimal("250.00"))

    with (
        pytest.raises(IntegrityError, match="collection_overdue_has_balance"),
        transaction.atomic(),
    ):
        sql("UPDATE registry_collectionsnapshot SET balance = 0 WHERE id = %s", [snapshot.pk])
