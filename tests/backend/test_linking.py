"""Linking accounts to parcels and street segments, on a small town built through the importers."""

import csv
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pyogrio
import pytest
import shapely
from django.contrib.gis.geos import Point
from django.core.management import CommandError, call_command
from django.db import OperationalError, connection, transaction

from gis_backend.imports.engine import run_vector_import
from gis_backend.imports.padron import import_padron
from gis_backend.imports.parcels import ParcelImporter
from gis_backend.imports.streets import StreetImporter
from gis_backend.linking import address, linker
from gis_backend.linking.linker import link_registry, street_match
from gis_backend.linking.prepare import Fields, address_fields, stage_addresses
from gis_backend.linking.workspace import LOCK, workspace
from gis_backend.registry.choices import LinkMethod
from gis_backend.registry.models import Account, AccountLink, Parcel, StreetSegment
from tests.backend.factories import (
    CORTAZAR_X,
    CORTAZAR_Y,
    SRID,
    AccountFactory,
    ColoniaFactory,
    ParcelFactory,
    ReadingRouteFactory,
    square,
)
from tests.backend.vector_files import LAT, LON, METRE, METRE_NS, write_layer

pytestmark = pytest.mark.django_db
SOUTH = 300  # metres between the two neighbourhoods


def lot(i: int, south: float = 0, depth: float = 25) -> shapely.Polygon:
    x0 = LON + i * 10 * METRE
    y0 = LAT - south * METRE_NS
    return shapely.box(x0, y0, x0 + 10 * METRE, y0 + depth * METRE_NS)


def street_line(south: float = 0) -> shapely.LineString:
    y = LAT - (south + 5) * METRE_NS
    return shapely.LineString([(LON, y), (LON + 100 * METRE, y)])


def centre_of(i: int) -> tuple[float, float]:
    point = lot(i).centroid
    return point.y, point.x


def import_layers(
    folder: Path,
    parcels: list[dict[str, Any]],
    shapes: list[shapely.Polygon],
    streets: list[dict[str, Any]],
    lines: list[shapely.LineString],
) -> None:
    """Write a parcel layer and a street layer from these rows and import them."""
    run_vector_import(ParcelImporter(), write_layer(folder / "predios.gpkg", parcels, shapes))
    run_vector_import(StreetImporter(), write_layer(folder / "calles.gpkg", streets, lines))


@pytest.fixture
def town(tmp_path: Path) -> Path:
    """Two neighbourhoods, each with a 'Hidalgo' street of ten lots numbered 1, 3 … 19 on its
    north side; lot A-3 has no official number (interpolation must find it)."""
    parcels, shapes = [], []
    for prefix, colonia, south in (("A", "Zona Centro", 0), ("B", "Fracc. Las Fuentes", SOUTH)):
        for i in range(10):
            number = "" if (prefix, i) == ("A", 3) else str(2 * i + 1)
            dwellings = "3" if (prefix, i) == ("A", 2) else "1"
            parcels.append(
                {"clave_catastral": f"{prefix}-{i}", "calle": "Hidalgo", "numero": number,
                 "colonia": colonia, "sup_construida": "90", "num_viviendas": dwellings}
            )  # fmt: skip
            shapes.append(lot(i, south))
    streets = [
        {"nombre": "Miguel Hidalgo", "tipo": "Calle", "colonia": "Zona Centro",
         "num_izq_ini": 1, "num_izq_fin": 19, "num_der_ini": 2, "num_der_fin": 20},
        {"nombre": "Hidalgo", "tipo": "Calle", "colonia": "Fracc. Las Fuentes",
         "num_izq_ini": 1, "num_izq_fin": 19, "num_der_ini": 2, "num_der_fin": 20},
    ]  # fmt: skip
    import_layers(tmp_path, parcels, shapes, streets, [street_line(), street_line(SOUTH)])
    lat, lon = centre_of(1)
    accounts = [
        ["1", "A-0", "", "", "", "", "", ""],
        ["2", "", "Calle Falsa", "99", "", f"{lat:.7f}", f"{lon:.7f}", ""],
        ["3", "", "C. HIDALGGO", "5", "COL. CENTRO", "", "", ""],
        ["4", "", "Miguel Hidalgo", "7", "Centro", "", "", ""],
        ["5", "", "Hidalgo", "9", "", "", "", ""],
        ["6", "", "HIDALGO S/N", "", "Centro", "", "", "M-X"],
        ["7", "", "Calle Inexistente", "3", "Centro", "", "", "M-X"],
        ["8", "", "HIDALGO", "11", "Fracc. Las Fuentes", "", "", ""],
        ["9", "", "Av. Hidalgo", "5", "Centro", "", "", ""],  # a second account at A-2
    ]
    path = tmp_path / "padron.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        header = ["cuenta", "clave_catastral", "calle", "numero_ext", "colonia", "lat", "lon"]
        writer.writerow([*header, "medidor_serie"])
        writer.writerows(accounts)
    summary = import_padron(path)
    assert summary.rejected == 0, summary.errors
    return tmp_path


def links() -> dict[str, AccountLink]:
    return {
        link.account.number: link
        for link in AccountLink.objects.select_related("account", "parcel", "segment")
    }


def parcel_of(link: AccountLink) -> str | None:
    return link.parcel.cadastral_key if link.parcel else None


def linked_parcels() -> dict[str, str | None]:
    """Each account's parcel key (None when unlinked), by account number."""
    return {number: parcel_of(link) for number, link in links().items()}


def test_each_method_links_the_right_parcel(town: Path) -> None:
    summary = link_registry()
    found = links()
    expected = {
        "1": ("A-0", "clave_catastral"),
        "2": ("A-1", "coordenadas"),
        "3": ("A-2", "direccion"),
        "4": ("A-3", "interpolacion"),
        "8": ("B-5", "direccion"),
    }
    for number, (key, method) in expected.items():
        assert (parcel_of(found[number]), found[number].parcel_method) == (key, method), number
        score = found[number].parcel_score
        assert score is not None and 0.5 <= score <= 1
    assert summary.accounts == 9


def test_segments_come_from_the_parcel_frontage(town: Path) -> None:
    link_registry()
    found = links()
    assert found["3"].segment is not None and found["3"].segment.name == "Miguel Hidalgo"
    assert found["8"].segment is not None and found["8"].segment.name == "Hidalgo"
    assert found["8"].segment_method == "frente"


def test_hopeless_and_ambiguous_addresses_stay_unlinked_with_reason(town: Path) -> None:
    link_registry()
    found = links()
    ambiguous = found["5"]  # 'Hidalgo 9' exists in both neighbourhoods
    assert ambiguous.parcel is None
    assert ambiguous.unlinked_reason.startswith("ambigua")
    assert {c["clave_catastral"] for c in ambiguous.candidates} == {"A-4", "B-4"}
    assert found["6"].parcel is None and "S/N" in found["6"].unlinked_reason
    assert (
        found["7"].parcel is None and "no está en la capa de calles" in found["7"].unlinked_reason
    )


def test_a_tie_between_neighbourhoods_is_broken_by_the_reading_route(town: Path) -> None:
    """'Hidalgo 9' without colonia names a parcel in each neighbourhood. An account whose reading
    route runs through the centre (its other accounts linked there) takes the centre's, with the
    other still listed; one whose route has accounts in both, or no other account, stays
    ambiguous."""
    centre, both, alone = (ReadingRouteFactory.create(code=code) for code in ("R1", "R2", "R3"))
    Account.objects.filter(number__in=["3", "4", "5"]).update(route=centre)
    Account.objects.filter(number__in=["1", "8"]).update(route=both)
    for number, route in (("20", both), ("21", alone)):
        AccountFactory.create(
            number=number, billing_street="Hidalgo", billing_ext_number="9", billing_colonia="",
            billing_cadastral_key="", route=route,
        )  # fmt: skip
    link_registry()
    found = links()
    assert (parcel_of(found["5"]), found["5"].parcel_method) == ("A-4", LinkMethod.ROUTE)
    assert found["5"].unlinked_reason == ""
    assert [c["clave_catastral"] for c in found["5"].candidates] == ["A-4", "B-4"]
    for number in ("20", "21"):
        assert found[number].parcel is None, number
        assert found[number].unlinked_reason.startswith("ambigua"), number
    # the accounts of the route that decided are linked as before
    assert parcel_of(found["3"]) == "A-2" and parcel_of(found["4"]) == "A-3"


def test_an_address_repeated_in_many_colonias_is_found_on_the_reading_route() -> None:
    """'CELAYA 119' without colonia names a parcel in each of five colonias, 400 m apart: each
    a fifth as likely, too weak to link. The account's reading route has another account
    linked by its key next door, in the third colonia: that Celaya 119 is the one, with the
    address's own score. Another route with no account linked anywhere leaves it ambiguous."""
    route, elsewhere = ReadingRouteFactory.create(code="R1"), ReadingRouteFactory.create(code="R2")
    for place in range(5):
        x, y = CORTAZAR_X + 400 * place, CORTAZAR_Y
        colonia = ColoniaFactory.create(name=f"Colonia {place}", name_normalized=f"COLONIA {place}")
        ParcelFactory.create(
            cadastral_key=f"11-011-00{place}-001-119", street="Celaya", number="119",
            colonia=colonia, geom=square(x, y),
        )  # fmt: skip
        if place == 2:
            ParcelFactory.create(
                cadastral_key="11-011-002-001-121", street="Celaya", number="121",
                colonia=colonia, geom=square(x + 20, y),
            )  # fmt: skip
    AccountFactory.create(
        number="K", billing_street="CELAYA", billing_ext_number="121",
        billing_cadastral_key="11-011-002-001-121", route=route,
    )  # fmt: skip
    for number, its_route in (("N", route), ("M", elsewhere)):
        AccountFactory.create(
            number=number, billing_street="CELAYA", billing_ext_number="119",
            billing_colonia="", billing_cadastral_key="", route=its_route,
        )  # fmt: skip
    link_registry()
    found = links()
    assert parcel_of(found["K"]) == "11-011-002-001-121"
    assert (parcel_of(found["N"]), found["N"].parcel_method) == (
        "11-011-002-001-119",
        LinkMethod.ROUTE,
    )
    assert found["N"].parcel_score is not None and found["N"].parcel_score >= linker.MIN_SCORE
    # its list shows the parcel the route named first, then the others its address names
    listed = [c["clave_catastral"] for c in found["N"].candidates]
    assert listed[0] == "11-011-002-001-119"
    assert found["N"].candidates[0]["metodo"] == "ruta_lectura"
    assert len(listed) == len(set(listed)) and len(listed) > 1
    assert found["M"].parcel is None and found["M"].unlinked_reason.startswith("ambigua")


def test_a_misspelt_colonia_tells_apart_a_number_repeated_in_two_neighbourhoods(
    town: Path,
) -> None:
    """'Hidalgo 9' exists in both neighbourhoods; 'Fracc. Las Fuentez' is like enough to 'Fracc.
    Las Fuentes' (trigram similarity) to pick the second, and unlike 'Zona Centro'; so is 'LAS
    FEUNTES' (two letters swapped: one edit, though few trigrams in common)."""
    for number, colonia in (("10", "FRACC. LAS FUENTEZ"), ("11", "LAS FEUNTES")):
        AccountFactory.create(
            number=number, billing_street="Hidalgo", billing_ext_number="9",
            billing_colonia=colonia, billing_cadastral_key="",
        )  # fmt: skip
    link_registry()
    found = links()
    for number in ("10", "11"):
        assert (parcel_of(found[number]), found[number].parcel_method) == ("B-4", "direccion")
    assert found["5"].parcel is None  # without a colonia it stays ambiguous


def write_padron(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


ADDRESS_HEADER = ["cuenta", "calle", "numero_ext", "colonia"]


def import_accounts(
    folder: Path,
    rows: list[list[str]],
    header: list[str] = ADDRESS_HEADER,
    mapping: Path | None = None,
) -> None:
    """Write a padrón of these rows and import it; every row must be accepted."""
    summary = import_padron(write_padron(folder / "padron.csv", header, rows), mapping=mapping)
    assert summary.rejected == 0, summary.errors


@pytest.fixture
def blocks_town(tmp_path: Path) -> Path:
    """Two fraccionamientos that number their lots by manzana and lote, the same ones in both:
    Los Arboles on Calle Roble (its layer writes 'MZ 3 LT n'), Las Palmas on Calle Pino ('Mza 3
    Lote n'); n = 1 … 8."""
    parcels, shapes, streets, lines = [], [], [], []
    for prefix, colonia, street, south, spelling in (
        ("AR", "Fracc. Los Arboles", "Roble", 600, "MZ 3 LT {}"),
        ("LP", "Fracc. Las Palmas", "Pino", 900, "Mza 3 Lote {}"),
    ):
        for i in range(1, 9):
            parcels.append(
                {"clave_catastral": f"{prefix}-{i}", "calle": street,
                 "numero": spelling.format(i), "colonia": colonia}
            )  # fmt: skip
            shapes.append(lot(i, south))
        streets.append({"nombre": street, "tipo": "Calle", "colonia": colonia})
        lines.append(street_line(south))
    import_layers(tmp_path, parcels, shapes, streets, lines)
    accounts = [
        ["M1", "C. Roble Mz 3 Lt 2 Fracc. Los Arboles", "", ""],  # all in the street field
        ["M2", "", "Mza. 3 Lote 4", "Los Arboles"],  # no street
        ["M3", "ROBLE", "MZ 03 LT 06", ""],  # no colonia: the street tells
        ["M4", "", "M3 L4", "FRACC LAS PALMAS"],  # the same lot, the other fraccionamiento
        ["M5", "Calle Roble", "LOTE 7", "Los Arboles"],  # a lote without its manzana
        ["M6", "", "MZ 3 LT 5", ""],  # neither colonia nor street
        ["M7", "", "MZ 3 LT 40", "Los Arboles"],  # no such lot
    ]
    import_accounts(tmp_path, accounts)
    return tmp_path


def test_manzana_and_lote_link_within_their_colonia_or_street(blocks_town: Path) -> None:
    link_registry()
    found = links()
    expected = {"M1": "AR-2", "M2": "AR-4", "M3": "AR-6", "M4": "LP-4", "M5": "AR-7"}
    assert {number: parcel_of(found[number]) for number in expected} == expected
    assert {found[number].parcel_method for number in expected} == {"direccion"}
    assert found["M1"].segment is not None and found["M1"].segment.name == "Roble"
    for number in ("M6", "M7"):  # a block and lot repeat between fraccionamientos
        assert found[number].parcel is None, number
        assert "manzana y lote" in found[number].unlinked_reason, number


def test_a_street_that_agrees_keeps_a_lot_in_its_own_fraccionamiento(tmp_path: Path) -> None:
    """Los Arboles (Calle Roble) and its neighbour Los Arboles II (Calle Encino) both have a
    manzana 3 with lots 1 … 8. An account of Los Arboles whose street is misspelt ('C. Robel')
    still has a street that agrees: its lot is not taken for the like-named neighbour's."""
    parcels, shapes, streets, lines = [], [], [], []
    for prefix, colonia, street, south in (
        ("AR", "Fracc. Los Arboles", "Roble", 600),
        ("A2", "Fracc. Los Arboles II", "Encino", 900),
    ):
        for i in range(1, 9):
            parcels.append(
                {"clave_catastral": f"{prefix}-{i}", "calle": street,
                 "numero": f"MZ 3 LT {i}", "colonia": colonia}
            )  # fmt: skip
            shapes.append(lot(i, south))
        streets.append({"nombre": street, "tipo": "Calle", "colonia": colonia})
        lines.append(street_line(south))
    import_layers(tmp_path, parcels, shapes, streets, lines)
    accounts = [
        ["X8", "C. Robel", "MZ 3 LT 8", "Los Arboles"],
        ["X7", "Calle Roblez", "MZ 3 LT 7", "Los Arboles"],
        ["X6", "Roble", "MZ 3 LT 6", "Los Arboles"],
    ]
    import_accounts(tmp_path, accounts)

    link_registry()

    assert linked_parcels() == {"X8": "AR-8", "X7": "AR-7", "X6": "AR-6"}


def test_without_number_ranges_a_number_is_placed_between_its_numbered_neighbours(
    tmp_path: Path,
) -> None:
    """A street layer without number ranges, a cadastre that numbers most parcels: 1, 3, 5, _,
    9, 11, _, 15, 17, _ on Juárez in San José; Las Flores has its own Juárez, numbered 1 … 19.
    An account numbered 7 or 13 in San José is on the unnumbered parcel between its neighbours;
    one numbered 19 is on the unnumbered last parcel, one step beyond 15 and 17 (as at the end
    of a block numbered from its hundred), and not on Las Flores' 19: the street is in its
    colonia, so that one is a namesake. 21, two steps beyond, and 41 are not placed."""
    parcels, shapes, streets, lines = [], [], [], []
    for prefix, colonia, south, unnumbered in (
        ("J", "San Jose", 0, (3, 6, 9)),
        ("F", "Las Flores", SOUTH, ()),
    ):
        for i in range(10):
            parcels.append(
                {"clave_catastral": f"{prefix}-{i}", "calle": "Juarez", "colonia": colonia,
                 "numero": "" if i in unnumbered else str(2 * i + 1)}
            )  # fmt: skip
            shapes.append(lot(i, south))
        streets.append({"nombre": "Benito Juarez", "tipo": "Calle", "colonia": colonia})
        lines.append(street_line(south))
    import_layers(tmp_path, parcels, shapes, streets, lines)
    accounts = [
        ["N1", "C. Juarez", "7", "San Jose"],
        ["N2", "Benito Juárez", "13", "COL. SAN JOSÉ"],
        ["N3", "Juarez", "41", "San Jose"],
        ["N4", "Juarez", "19", "San Jose"],
        ["N5", "Juarez", "21", "San Jose"],
    ]
    import_accounts(tmp_path, accounts)
    link_registry()
    found = links()
    placed = {number: (parcel_of(found[number]), found[number].parcel_method) for number in found}
    assert placed == {
        "N1": ("J-3", "interpolacion"),
        "N2": ("J-6", "interpolacion"),
        "N3": (None, ""),
        "N4": ("J-9", "interpolacion"),
        "N5": (None, ""),
    }
    # The cadastre numbers the parcel N1 was placed on: nothing unnumbered is left there (the
    # gaps in the numbering are kept between runs, and prepared again when the parcels change).
    Parcel.objects.filter(cadastral_key="J-3").update(number="99")
    link_registry()
    assert (linked_parcels()["N1"], linked_parcels()["N2"]) == (None, "J-6")


def test_a_number_placed_along_a_segment_lands_only_on_a_parcel_without_another_number(
    tmp_path: Path,
) -> None:
    """Hidalgo in the Centro, numbered 1 … 19, its lots of 3 and 17 unnumbered; the street
    layer's segment, numbered 1–19 too, is drawn 20 m past the block at each end, so 3 and 17
    placed along it fall by the lots numbered 1 and 19. Those are not at 3 and 17: the accounts
    link to the unnumbered lots between their numbered neighbours."""
    parcels = [
        {"clave_catastral": f"H-{i}", "calle": "Hidalgo", "colonia": "Zona Centro",
         "numero": "" if i in (1, 8) else str(2 * i + 1)}
        for i in range(10)
    ]  # fmt: skip
    y = LAT - 5 * METRE_NS
    long_line = shapely.LineString([(LON - 20 * METRE, y), (LON + 120 * METRE, y)])
    streets = [
        {"nombre": "Hidalgo", "tipo": "Calle", "colonia": "Zona Centro",
         "num_izq_ini": 1, "num_izq_fin": 19, "num_der_ini": 2, "num_der_fin": 20},
    ]  # fmt: skip
    import_layers(tmp_path, parcels, [lot(i) for i in range(10)], streets, [long_line])
    import_accounts(
        tmp_path, [["E3", "Hidalgo", "3", "Centro"], ["E17", "Hidalgo", "17", "Centro"]]
    )
    link_registry()
    assert linked_parcels() == {"E3": "H-1", "E17": "H-8"}


def test_a_number_placed_on_the_like_named_neighbour_s_street_is_a_namesake(
    tmp_path: Path,
) -> None:
    """La Purísima and La Purísima Oriente each have a Vicente Guerrero numbered 1 … 19 whose
    lot 9 the cadastre left unnumbered; only La Purísima's segment carries number ranges.
    'GUERRERO 9, LA PURISIMA ORIENTE' is the Oriente's lot (between its 7 and 11), not the
    lot 9 placed on La Purísima's segment: that colonia is another one, not a way of writing
    the account's (as for addresses)."""
    parcels, shapes, streets, lines = [], [], [], []
    for prefix, colonia, south, ranges in (
        ("P", "La Purísima", 0, True),
        ("O", "La Purísima Oriente", SOUTH, False),
    ):
        for i in range(10):
            parcels.append(
                {"clave_catastral": f"{prefix}-{i}", "calle": "Vicente Guerrero",
                 "colonia": colonia, "numero": "" if i == 4 else str(2 * i + 1)}
            )  # fmt: skip
            shapes.append(lot(i, south))
        street: dict[str, Any] = {
            "nombre": "Vicente Guerrero", "tipo": "Calle", "colonia": colonia,
        }  # fmt: skip
        if ranges:
            street.update(num_izq_ini=1, num_izq_fin=19, num_der_ini=2, num_der_fin=20)
        streets.append(street)
        lines.append(street_line(south))
    import_layers(tmp_path, parcels, shapes, streets, lines)
    import_accounts(
        tmp_path,
        [["G1", "GUERRERO", "9", "LA PURISIMA ORIENTE"], ["G2", "GUERRERO", "9", "LA PURISIMA"]],
    )
    link_registry()
    found = links()
    assert {n: (parcel_of(found[n]), found[n].parcel_method) for n in found} == {
        "G1": ("O-4", "interpolacion"),
        "G2": ("P-4", "interpolacion"),
    }


def test_a_cadastral_key_on_another_street_yields_to_the_account_s_own_street(
    tmp_path: Path,
) -> None:
    """Juárez in San José numbered 1, 3, 5, _, 9 … 17, _ (J-0 … J-9, 12 m deep); behind the
    block, facing the next street north, Hidalgo 2 … 20 (H-0 … H-9, 18 m deep); at the east end
    of Juárez, a corner lot the cadastre lists on Morelos (C-0). 'JUAREZ 7' billed with H-3's
    key (one digit off, as billing systems mistype them) is on J-3, between 5 and 9: a key
    naming a parcel on another street is doubtful, though Juárez runs 17 m from H-3 (not its
    frontage). 'JUAREZ 13' billed with J-5's key (Juárez 11) is on J-6, between 11 and 15: a key
    naming another number of the account's street is doubtful too. 'JUAREZ 19' billed with the
    corner lot's key is the corner lot: it fronts Juárez."""

    parcels, shapes = [], []
    for i in range(10):
        parcels.append(
            {"clave_catastral": f"J-{i}", "calle": "Juarez", "colonia": "San Jose",
             "numero": "" if i in (3, 6, 9) else str(2 * i + 1)}
        )  # fmt: skip
        shapes.append(lot(i, depth=12))
        parcels.append(
            {"clave_catastral": f"H-{i}", "calle": "Hidalgo", "colonia": "San Jose",
             "numero": str(2 * i + 2)}
        )  # fmt: skip
        shapes.append(lot(i, south=-12, depth=18))
    parcels.append({"clave_catastral": "C-0", "calle": "Morelos", "colonia": "San Jose"})
    shapes.append(lot(10, depth=12))
    streets = [
        {"nombre": "Benito Juarez", "tipo": "Calle", "colonia": "San Jose"},
        {"nombre": "Miguel Hidalgo", "tipo": "Calle", "colonia": "San Jose"},
    ]
    import_layers(tmp_path, parcels, shapes, streets, [street_line(), street_line(-40)])
    import_accounts(
        tmp_path,
        [
            ["T1", "Juarez", "7", "San Jose", "H-3"],
            ["T2", "Juarez", "19", "San Jose", "C-0"],
            ["T3", "Juarez", "13", "San Jose", "J-5"],
        ],
        header=[*ADDRESS_HEADER, "clave_catastral"],
    )
    link_registry()
    found = links()
    assert (parcel_of(found["T1"]), found["T1"].parcel_method) == ("J-3", "interpolacion")
    assert (parcel_of(found["T2"]), found["T2"].parcel_method) == ("C-0", "clave_catastral")
    assert (parcel_of(found["T3"]), found["T3"].parcel_method) == ("J-6", "interpolacion")


def test_a_street_is_not_taken_for_another_of_its_colonia_with_a_like_name() -> None:
    """Los Álamos has Guadalupe Victoria (its 501 unnumbered in the cadastre) and Guadalupe
    (with a 501): 'GUADALUPE VICTORIA 501' is not Guadalupe 501, though one name holds the
    other, with or without its colonia; 'GUADALUPE 501' is. Las Brisas has only Guadalupe (its
    neighbour Las Brisas II, a Guadalupe Victoria): there 'GUADALUPE VICTORIA 7' is its 7."""
    alamos = ColoniaFactory.create(name="Los Álamos", name_normalized="LOS ALAMOS")
    brisas = ColoniaFactory.create(name="Las Brisas", name_normalized="LAS BRISAS")
    brisas_ii = ColoniaFactory.create(name="Las Brisas II", name_normalized="LAS BRISAS II")
    for key, street, number, place in (
        ("GV-499", "Guadalupe Victoria", "499", alamos),
        ("GV-501", "Guadalupe Victoria", "", alamos),
        ("G-501", "Guadalupe", "501", alamos),
        ("B-7", "Guadalupe", "7", brisas),
        ("BII-9", "Guadalupe Victoria", "9", brisas_ii),
    ):
        ParcelFactory.create(cadastral_key=key, street=street, number=number, colonia=place)
    for number, street, colonia in (
        ("V1", "GUADALUPE VICTORIA", "COL. LOS ALAMOS"),
        ("V2", "CALLE GUADALUPE", "COL. LOS ALAMOS"),
        ("V3", "GUADALUPE VICTORIA", ""),
        ("V4", "GUADALUPE VICTORIA #7", "LAS BRISAS"),
    ):
        AccountFactory.create(
            number=number, billing_street=street, billing_ext_number="" if "#" in street else "501",
            billing_colonia=colonia, billing_cadastral_key="", connection_point=None,
        )  # fmt: skip
    link_registry()
    found = links()
    assert parcel_of(found["V2"]) == "G-501"
    assert parcel_of(found["V1"]) != "G-501"
    assert parcel_of(found["V3"]) != "G-501"
    assert parcel_of(found["V4"]) == "B-7"


def test_a_colonia_of_the_cadastre_is_not_taken_for_its_like_named_neighbour() -> None:
    """La Purísima and its neighbour La Purísima Oriente both have a Pípila, and only the
    Oriente's 305 carries its number. 'PIPILA 305, COL. LA PURISIMA' whose connection point (2 m
    inside, by the front) or cadastral key (written short) names its own unnumbered parcel links
    there: the neighbour is another colonia, not a way of writing its own. A colonia the cadastre
    lacks ('PURISIMA ORIENT') is still read as the like name it has."""
    purisima = ColoniaFactory.create(name="La Purísima", name_normalized="LA PURISIMA")
    oriente = ColoniaFactory.create(
        name="La Purísima Oriente", name_normalized="LA PURISIMA ORIENTE"
    )
    own = ParcelFactory.create(
        cadastral_key="11-011-001-002-014", street="Pípila", number="", colonia=purisima
    )
    for key, number, place in (
        ("11-011-001-002-013", "303", purisima),
        ("11-011-009-004-007", "305", oriente),
    ):
        ParcelFactory.create(cadastral_key=key, street="Pípila", number=number, colonia=place)
    xmin, ymin, xmax, _ymax = own.geom.extent
    by_the_front = Point((xmin + xmax) / 2, ymin + 2, srid=SRID)
    for number, key, point, colonia in (
        ("P1", "", by_the_front, "COL. LA PURISIMA"),
        ("P2", "1-2-14", None, "COL. LA PURISIMA"),
        ("P3", "", None, "PURISIMA ORIENT"),
    ):
        AccountFactory.create(
            number=number, billing_street="PIPILA", billing_ext_number="305",
            billing_colonia=colonia, billing_cadastral_key=key, connection_point=point,
        )  # fmt: skip
    link_registry()
    found = links()
    assert {number: parcel_of(found[number]) for number in ("P1", "P2", "P3")} == {
        "P1": "11-011-001-002-014",
        "P2": "11-011-001-002-014",
        "P3": "11-011-009-004-007",
    }
    assert (found["P1"].parcel_method, found["P2"].parcel_method) == (
        "coordenadas",
        "clave_catastral",
    )


def test_an_address_repeated_in_many_colonias_yields_to_a_key_or_a_point() -> None:
    """'CELAYA 119' without colonia is in three colonias' Celaya; the account's own parcel, in a
    fourth, carries no number. Its cadastral key (written short) or its connection point names
    that parcel, and decides: the address alone names three parcels, each a third as likely.
    With nothing else the account stays ambiguous."""
    colonias = {
        place: ColoniaFactory.create(name=f"Colonia {place}", name_normalized=f"COLONIA {place}")
        for place in "ABCD"
    }
    for sector, place in enumerate("ABC", start=1):
        ParcelFactory.create(
            cadastral_key=f"11-011-00{sector}-002-003", street="Celaya", number="119",
            colonia=colonias[place],
        )  # fmt: skip
    own = ParcelFactory.create(
        cadastral_key="11-011-004-011-023", street="Celaya", number="", colonia=colonias["D"]
    )
    for number, key, point in (
        ("K", "4-11-23", None),
        ("P", "", own.geom.centroid),
        ("N", "", None),
    ):
        AccountFactory.create(
            number=number, billing_street="CELAYA", billing_ext_number="119", billing_colonia="",
            billing_cadastral_key=key, connection_point=point,
        )  # fmt: skip
    link_registry()
    found = links()
    assert (parcel_of(found["K"]), found["K"].parcel_method) == (
        "11-011-004-011-023",
        "clave_catastral",
    )
    assert (parcel_of(found["P"]), found["P"].parcel_method) == (
        "11-011-004-011-023",
        "coordenadas",
    )
    assert found["N"].parcel is None
    assert found["N"].unlinked_reason.startswith("ambigua")
    assert len(found["N"].candidates) == 3


def test_a_parcel_numbered_as_a_range_takes_each_of_its_numbers(tmp_path: Path) -> None:
    """Morelos numbers its parcels 1, 3-5, 7, 9 Y 11, 13–15 (double lots; the last with the en
    dash a word processor writes): 5, 11 and 15 are the second numbers of three of them; 17 is
    nobody's, 4 is across the street."""
    numbers = ["1", "3-5", "7", "9 Y 11", "13\u201315"]
    parcels = [
        {"clave_catastral": f"M-{i}", "calle": "Morelos", "numero": number, "colonia": "El Carmen"}
        for i, number in enumerate(numbers)
    ]
    street = [{"nombre": "Morelos", "tipo": "Calle", "colonia": "El Carmen"}]
    shapes = [lot(i) for i in range(len(numbers))]
    import_layers(tmp_path, parcels, shapes, street, [street_line()])
    accounts = [
        [f"R{ext}", "Calle Morelos", ext, "El Carmen"] for ext in ("3", "5", "11", "15", "17", "4")
    ]
    import_accounts(tmp_path, accounts)
    link_registry()
    found = links()
    assert linked_parcels() == {
        "R3": "M-1",
        "R5": "M-1",
        "R11": "M-3",
        "R15": "M-4",
        "R17": None,
        "R4": None,
    }
    assert found["R11"].parcel_method == "direccion"


def test_a_whole_address_in_one_column_links_by_its_street_number_and_colonia(
    tmp_path: Path,
) -> None:
    """A billing system keeps the address in one column, DOMICILIO, mapped to `calle`: Avenida
    Periférico runs through Ejido El Sabino (numbers 110 … 118) and Merino (114, 216, 218), so
    114 is in both and only the colonia written after the number tells them apart."""
    sabino, merino = ["110", "112", "114", "116", "118"], ["114", "216", "218"]
    parcels = [
        {
            "clave_catastral": f"S-{i}",
            "calle": "Periférico",
            "numero": n,
            "colonia": "Ejido El Sabino",
        }
        for i, n in enumerate(sabino)
    ] + [
        {"clave_catastral": f"M-{i}", "calle": "Periférico", "numero": n, "colonia": "Merino"}
        for i, n in enumerate(merino)
    ]
    geometries = [lot(i) for i in range(len(sabino))] + [
        lot(i, south=60) for i in range(len(merino))
    ]
    streets = [
        {"nombre": "Periférico", "tipo": "Avenida", "colonia": colonia}
        for colonia in ("Ejido El Sabino", "Merino")
    ]
    import_layers(tmp_path, parcels, geometries, streets, [street_line(), street_line(south=60)])
    accounts = [
        ["S114", "AVE. PERIFERICO 114, EJ. EL SABINO"],
        ["S118", "PERIFERICO #118, Ejido El Sabino"],
        ["M114", "AV. PERIFERICO 114 INT DEPTO A, COL. MERINO"],
        ["M218", "Av. Periférico No. 218, Merino"],
        ["X114", "AV. PERIFERICO 114"],  # in both colonias
    ]
    mapping = tmp_path / "mapeo.yaml"
    mapping.write_text("columns:\n  NUM_CONTRATO: cuenta\n  DOMICILIO: calle\n", encoding="utf-8")
    import_accounts(tmp_path, accounts, ["NUM_CONTRATO", "DOMICILIO"], mapping)

    link_registry()

    found = links()
    assert linked_parcels() == {
        "S114": "S-2",
        "S118": "S-4",
        "M114": "M-0",
        "M218": "M-2",
        "X114": None,
    }
    assert {link.parcel_method for link in found.values() if link.parcel} == {"direccion"}


def test_a_cadastral_key_written_another_way_finds_its_parcel() -> None:
    """The billing system drops the state and municipality, the leading zeros or the trailing
    condominium group of the catastro's keys; a key of two groups says too little. A key
    without separators that a spreadsheet kept as a number lost its leading zeros."""
    parcel_keys = (
        "11-011-001-007-003-000", "11-011-001-007-004-000", "11-011-002-007-003-000",
        "0110110010080", "0070",
    )  # fmt: skip
    for key in parcel_keys:
        ParcelFactory.create(cadastral_key=key, street="", number="")
    written = {
        "K1": "001-007-003",  # no state and municipality, no trailing group
        "K2": "11-11-1-7-4",  # no leading zeros
        "K3": "011 002 007 003",  # no state, spaces, no trailing group
        "K4": "1-9-3",  # no such parcel
        "K5": "7-3",  # two groups: in many parcels' keys
        "K6": "110110010080",  # one group, its leading zero lost in a spreadsheet
        "K7": "70",  # one group: the whole key, not the end of another ('0110110010080')
    }
    for number, key in written.items():
        AccountFactory.create(
            number=number, billing_cadastral_key=key, billing_street="", billing_ext_number="",
            connection_point=None,
        )  # fmt: skip
    link_registry()
    found = links()
    assert {number: parcel_of(found[number]) for number in written} == {
        "K1": "11-011-001-007-003-000",
        "K2": "11-011-001-007-004-000",
        "K3": "11-011-002-007-003-000",
        "K4": None,
        "K5": None,
        "K6": "0110110010080",
        "K7": "0070",
    }
    assert found["K1"].parcel_method == found["K6"].parcel_method == "clave_catastral"
    # A key that names no parcel is why an account without a usable address stays unlinked.
    assert found["K4"].unlinked_reason == (
        "la clave catastral no es de ningún predio y la dirección no basta"
    )


def test_parcels_without_a_colonia_take_their_frontage_s(town: Path) -> None:
    """A cadastre that gives no colonia: each parcel takes its street segment's, so 'Hidalgo
    11' in Las Fuentes and 'Hidalgo 5' in the Centro are told apart as before."""
    Parcel.objects.update(colonia=None)
    link_registry()
    found = links()
    assert (parcel_of(found["8"]), found["8"].parcel_method) == ("B-5", "direccion")
    assert (parcel_of(found["3"]), found["3"].parcel_method) == ("A-2", "direccion")


def test_rerun_changes_nothing_and_verified_links_are_kept(town: Path) -> None:
    link_registry()
    assert link_registry().written == 0

    link = AccountLink.objects.get(account__number="8")
    link.parcel = Parcel.objects.get(cadastral_key="A-9")
    link.parcel_method = "manual"
    link.parcel_verified = True
    link.save()
    link_registry()
    kept = AccountLink.objects.get(account__number="8")
    assert kept.parcel is not None
    assert (kept.parcel.cadastral_key, kept.parcel_method, kept.parcel_verified) == (
        "A-9",
        "manual",
        True,
    )


def test_command_prints_summary_and_dry_run_writes_nothing(
    town: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    call_command("link_registry", "--dry-run")
    assert AccountLink.objects.count() == 0
    call_command("link_registry")
    out = capsys.readouterr().out
    assert "Cuentas 9" in out and "vinculadas a predio 6" in out


def test_progress_names_each_step_and_ends_with_all_done(
    town: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A million accounts take minutes: on a terminal the command shows the step running and
    how many are done (tqdm redraws the line; the last drawing says all are)."""
    steps = ["direcciones de las cuentas", "frentes de los predios", "candidatos", "elección"]
    steps += ["tramos", "escritura de los vínculos", "índices y llaves"]
    link_registry(progress=True)
    err = capsys.readouterr().err
    for step in steps:
        assert step in err, step
    done, total = map(int, re.findall(r"(\d+)/(\d+)", err)[-1])
    assert done == total > 20
    # The parcel side was prepared by the first run and is kept: fewer steps, all done.
    link_registry(progress=True)
    err = capsys.readouterr().err
    assert "frentes de los predios" not in err and "candidatos" in err
    done, fewer = map(int, re.findall(r"(\d+)/(\d+)", err)[-1])
    assert done == fewer < total
    link_registry()  # off unless asked: a log or a pipe gets the summary alone
    assert "Vinculando" not in capsys.readouterr().err


def session_state() -> tuple[list[str], tuple[str, ...]]:
    """The linking schema's tables, the search path and the parallel query setting."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'linking_work'")
        tables = [name for (name,) in cursor.fetchall()]
        cursor.execute(
            "SELECT current_setting('search_path'), "
            "current_setting('max_parallel_workers_per_gather')"
        )
        settings = tuple(cursor.fetchone())
    return tables, settings


def test_working_tables_are_gone_after_a_run_a_dry_run_and_a_failed_run(
    town: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = session_state()
    assert before[0] == []
    link_registry(dry_run=True)
    assert session_state() == before
    link_registry()
    assert session_state() == before
    written = linked_parcels()

    def broken() -> None:
        raise RuntimeError("se cayó la conexión")

    monkeypatch.setitem(linker.PYTHON_STEPS, "street_names", broken)
    with pytest.raises(RuntimeError):
        link_registry()
    assert session_state() == before
    assert linked_parcels() == written


def test_report_lists_links_problems_and_scores_against_truth(town: Path) -> None:
    link_registry()
    truth = town / "verdad.csv"
    truth.write_text(
        "cuenta,clave_catastral\n1,A-0\n2,A-1\n3,A-2\n4,A-3\n5,A-4\n6,A-5\n7,A-6\n8,B-5\n9,A-2\n",
        encoding="utf-8",
    )
    out = town / "reporte"
    call_command("registry_report", "--out", str(out), "--truth", str(truth))

    with (out / "links.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == [
        "cuenta", "clave_catastral", "tramo_id", "calle_tramo", "metodo", "score", "verificado",
    ]  # fmt: skip
    by_account = {row["cuenta"]: row for row in rows}
    assert len(rows) == 9
    assert by_account["3"]["clave_catastral"] == "A-2" and by_account["3"]["metodo"] == "direccion"
    assert by_account["3"]["calle_tramo"] == "Miguel Hidalgo"
    assert by_account["5"]["clave_catastral"] == "" and by_account["5"]["metodo"] == ""

    def problem_rows(name: str) -> list[dict[str, str]]:
        with (out / f"{name}.csv").open(encoding="utf-8") as handle:
            return list(csv.DictReader(handle))

    assert [r["cuentas"] for r in problem_rows("cuentas_duplicadas")] == ["3 9"]
    assert [r["cuentas"] for r in problem_rows("medidor_en_varias_cuentas")] == ["6 7"]
    assert [r["clave_catastral"] for r in problem_rows("viviendas_sin_cuenta")] == ["A-2"]
    unserved = {r["clave_catastral"] for r in problem_rows("predios_construidos_sin_cuenta")}
    assert len(unserved) == 20 - 5 and "A-2" not in unserved
    meta, _fids, geometry, _fields = pyogrio.raw.read(out / "predios_construidos_sin_cuenta.gpkg")
    assert len(geometry) == 15 and meta["crs"] == "EPSG:32614"

    summary = json.loads((out / "resumen.json").read_text(encoding="utf-8"))
    assert summary["truth"] == {
        "accounts": 9, "right": 6, "wrong": 0, "unlinked": 3, "right_share": pytest.approx(6 / 9),
        "segments": None,
    }  # fmt: skip
    text = (out / "resumen.md").read_text(encoding="utf-8")
    assert "Vinculadas al predio correcto: 6 (66.7 %)" in text
    assert "Vinculadas a un predio: 6 (66.7 %)" in text
    methods = {row["metodo"] for row in rows} - {""}
    assert "direccion" in methods
    for method in methods:  # each method as a person reads it, not its code
        label = LinkMethod(method).label
        assert f"| {label} | {sum(r['metodo'] == method for r in rows)} |" in text
    assert "| direccion |" not in text


@pytest.mark.parametrize(
    ("account", "known", "low", "high"),
    [
        ("HIDALGO", "HIDALGO", 1.0, 1.0),
        ("PRORGESO", "PROGRESO", 1.0, 1.0),  # letters swapped in a frequent word: that word
        ("CAÑDAA", "CAÑADA", 0.8, 0.95),  # letters swapped in another
        ("OAXCA", "OAXACA", 0.8, 0.95),  # letter dropped
        ("LAJA", "RIO LAJA", 0.8, 0.9),  # a name inside the other
        ("NEZAHUALCOYOTL", "PRIVADA NEZAHUALCOYOTL", 0.85, 0.9),  # type left out
        ("CERRADA HIDALGO", "PRIVADA HIDALGO", 0.0, 0.0),  # two different streets
        ("HIDALGO", "ALLENDE", 0.0, 0.3),
        ("5 MAYO", "5 FEBRERO", 0.0, 0.5),
    ],
)
def test_street_match(account: str, known: str, low: float, high: float) -> None:
    score = street_match(address.parse_street(account), address.parse_street(known))
    assert low <= score <= high


# Billing fields as they arrive: whole addresses in the street field, numbers with suffixes and
# interiors, "S/N", "Conocido", empty fields, colonias with and without prefixes.
MESSY_STREETS = [
    "C. Hidalgo",
    "AV. REFORMA #123 INT 2 COL. CENTRO",
    "Hidalgo 45, Centro",
    "DOMICILIO CONOCIDO",
    "Priv. Allende # 5-A, Col. Las Flores",
    "5 de Mayo",
    "",
]
MESSY_NUMBERS = [
    "12", "45-B", "S/N", "", "MZ 3 LT 12", "12 INT 2", "LOTE 5", "MZ 3 LT 12 #45", "12-14",
    "20 Y 22", "NO. 7 AL 11",
]  # fmt: skip
MESSY_COLONIAS = ["Zona Centro", "COL. LAS FLORES", "", "Fracc. Los Arboles"]


@pytest.mark.django_db
def test_staged_addresses_equal_the_parse_of_each_row() -> None:
    """The linker assembles a million rows in SQL from the parses of distinct values; every
    row must get exactly what parsing that row alone gives."""
    rows = [
        (street, number, colonia)
        for street in MESSY_STREETS
        for number in MESSY_NUMBERS
        for colonia in MESSY_COLONIAS
    ]
    keys = ["11-011-001-002", "11 011 001 002", "", "--", "ab.c/9"]
    accounts = [
        AccountFactory.create(
            billing_street=street,
            billing_ext_number=number,
            billing_colonia=colonia,
            billing_cadastral_key=keys[i % len(keys)],
        )
        for i, (street, number, colonia) in enumerate(rows)
    ]
    parcels = [
        ParcelFactory.create(street=street, number=number, colonia=None)
        for street, number, _colonia in rows[:: len(MESSY_COLONIAS)]
    ]
    columns = ", ".join(Fields._fields)
    with transaction.atomic(), workspace():
        stage_addresses()
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT account_id, cadastral_key, {columns} FROM lk_account")
            staged = {row[0]: row[1:] for row in cursor.fetchall()}
            cursor.execute(f"SELECT parcel_id, {columns} FROM lk_parcel")
            staged_parcels = {row[0]: row[1:] for row in cursor.fetchall()}
        transaction.set_rollback(True)
    expected_keys = {
        "11-011-001-002": "11011001002",
        "11 011 001 002": "11011001002",
        "": None,
        "--": None,
        "ab.c/9": "ABC9",
    }
    assert len(staged) == len(accounts)
    for account in accounts:
        fields = address_fields(
            account.billing_street, account.billing_ext_number, account.billing_colonia
        )
        assert staged[account.id] == (expected_keys[account.billing_cadastral_key], *fields), (
            account.billing_street,
            account.billing_ext_number,
            account.billing_colonia,
        )
    for parcel in parcels:
        assert staged_parcels[parcel.id] == address_fields(parcel.street, parcel.number, "")


@pytest.fixture
def linking_run_elsewhere() -> Iterator[None]:
    """Another session holding the linking lock, as a linking run does from its start to its
    commit; this session gives up waiting for a lock after a third of a second."""
    db = connection.settings_dict
    with psycopg.connect(
        host=db["HOST"], port=db["PORT"], user=db["USER"], dbname=db["NAME"]
    ) as other:
        other.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK])
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '300ms'")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("RESET lock_timeout")


@pytest.mark.usefixtures("linking_run_elsewhere")
def test_imports_wait_for_a_linking_run_before_writing(tmp_path: Path) -> None:
    """A padrón, street or parcel import waits for a running link to commit before it locks
    any table: the run locks the tables it reads after the lock, so an import that locked one
    first and met the lock later (to parse the addresses it wrote) would deadlock with it."""
    accounts = Account.objects.count()  # the test database's own, if any
    padron = write_padron(tmp_path / "mas.csv", ADDRESS_HEADER, [["99", "Hidalgo", "3", "Centro"]])
    with pytest.raises(OperationalError, match="lock timeout"):
        import_padron(padron)
    streets = write_layer(
        tmp_path / "calle.gpkg", [{"nombre": "Juárez", "colonia": "Zona Centro"}], [street_line(50)]
    )
    with pytest.raises(OperationalError, match="lock timeout"):
        run_vector_import(StreetImporter(), streets)
    assert Account.objects.count() == accounts
    assert not StreetSegment.objects.filter(name="Juárez").exists()


def test_the_truth_is_read_as_a_padron_is(town: Path) -> None:
    """A truth file written as padrones are (semicolons, capitals); one without the parcel's
    key is refused naming the column."""
    link_registry()
    truth = town / "verdad.csv"
    truth.write_text("CUENTA;CLAVE_CATASTRAL\r\n1;A-0\r\n2;A-9\r\n", encoding="cp1252")
    out = town / "reporte"
    call_command("registry_report", "--out", str(out), "--truth", str(truth))
    summary = json.loads((out / "resumen.json").read_text(encoding="utf-8"))
    assert (summary["truth"]["accounts"], summary["truth"]["right"]) == (2, 1)
    # With the segments it names (the street layer's identifiers): one right, one another.
    segment_of = {
        link.account.number: link.segment.source_key
        for link in AccountLink.objects.select_related("account", "segment")
        if link.segment is not None
    }
    truth.write_text(
        f"cuenta;clave_catastral;tramo_id\n1;A-0;{segment_of['1']}\n8;B-5;{segment_of['1']}\n"
        "2;A-1;\n",
        encoding="utf-8",
    )
    call_command("registry_report", "--out", str(out), "--truth", str(truth))
    summary = json.loads((out / "resumen.json").read_text(encoding="utf-8"))
    assert summary["truth"]["segments"] == {"accounts": 2, "right": 1, "wrong": 1, "unlinked": 0}
    assert "Con el tramo correcto: 1 (50.0 %)" in (out / "resumen.md").read_text("utf-8")
    truth.write_text("cuenta;predio\n1;A-0\n", encoding="utf-8")
    with pytest.raises(CommandError, match=r"verdad\.csv.*clave_catastral.*falta"):
        call_command("registry_report", "--out", str(out), "--truth", str(truth))
