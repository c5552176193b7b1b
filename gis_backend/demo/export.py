"""The demo town as a utility hands its data over: a cadastral parcel layer, a street layer and
the billing system's padrón export, written the messy way real files are.

- ``predios.gpkg``: parcels in UTM 14N with the importer's fields (plus cadastral block and
  INEGI keys as extra columns);
- ``calles.gpkg``: street segments with names, types, colonia and house-number ranges;
- ``padron.csv``: CP1252, semicolon separated, amounts with ``$`` and thousands separators,
  dates ``dd/mm/aaaa``, tariffs and statuses as billing clerks write them, connection
  coordinates in WGS 84 where the town has them.
Choices of spelling are drawn from the town's seed, so the same town gives the same files."""

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyogrio
import shapely
from pyproj import Transformer

from gis_backend.demo import copytext as ct
from gis_backend.demo.town import Town

TARIFF_SPELLINGS = {
    "domestico_popular": ("DOMESTICO POPULAR", "Doméstico popular", "DOM. POPULAR", "DP"),
    "domestico_medio": ("DOMESTICO MEDIO", "Doméstico medio", "DOM. MEDIO", "DM"),
    "domestico_residencial": ("DOMESTICO RESIDENCIAL", "Residencial", "DOM. RESIDENCIAL"),
    "domestico": ("DOMESTICO", "Doméstico", "DOM"),
    "comercial": ("COMERCIAL", "Comercial", "COM"),
    "industrial": ("INDUSTRIAL", "Industrial", "IND"),
    "mixto": ("MIXTO", "Mixto"),
    "servicios_publicos": ("SERVICIOS PUBLICOS", "Servicios públicos", "SP"),
}
STATUS_SPELLINGS = {
    "activo": ("ACTIVO", "Activo", "A"),
    "restringido": ("RESTRINGIDO", "Restringido"),
    "suspendido": ("SUSPENDIDO", "CORTADO", "Cortado"),
    "baja_temporal": ("BAJA TEMPORAL", "Baja temporal", "BT"),
    "baja_definitiva": ("BAJA DEFINITIVA", "BAJA", "Baja definitiva"),
}
PADRON_HEADER = [
    "CUENTA", "TITULAR", "CALLE", "NUMERO_EXT", "NUMERO_INT", "COLONIA", "CODIGO_POSTAL",
    "CLAVE_CATASTRAL", "TARIFA", "GIRO", "ESTATUS", "NUM_VIVIENDAS", "FECHA_ALTA",
    "MEDIDOR_SERIE", "MEDIDOR_MARCA", "MEDIDOR_DIAMETRO", "SECTOR", "RUTA", "SALDO",
    "MESES_ADEUDO", "ULTIMO_PAGO", "LAT", "LON",
]  # fmt: skip


@dataclass(frozen=True)
class TownFiles:
    parcels: Path
    streets: Path
    padron: Path


def cells(column: np.ndarray) -> list[str]:
    """COPY text cells as file values: NULL becomes empty."""
    return ["" if value == ct.NULL else str(value) for value in column]


def geometries(column: np.ndarray) -> np.ndarray:
    hex_wkb = np.array([value or None for value in cells(column)], dtype=object)
    return shapely.from_wkb(hex_wkb)


def by_id(table: ct.Table, column: str) -> dict[str, str]:
    return dict(zip(cells(table["id"]), cells(table[column]), strict=True))


def write_parcels(town: Town, path: Path, srid: int) -> None:
    parcels = town.tables["registry_parcel"]
    colonia = by_id(town.tables["registry_colonia"], "name")
    fields = {
        "clave_catastral": cells(parcels["cadastral_key"]),
        "calle": cells(parcels["street"]),
        "numero": cells(parcels["number"]),
        "colonia": [colonia.get(c, "") for c in cells(parcels["colonia_id"])],
        "sup_construida": cells(parcels["built_area"]),
        "uso_suelo": cells(parcels["land_use"]),
        "num_viviendas": cells(parcels["dwellings"]),
        "manzana": cells(parcels["block_key"]),
        "ageb": cells(parcels["inegi_ageb"]),
        "manzana_inegi": cells(parcels["inegi_block"]),
    }
    write_layer(path, "predios", geometries(parcels["geom"]), fields, srid)


def write_streets(town: Town, path: Path, srid: int) -> None:
    segments = town.tables["registry_streetsegment"]
    colonia = by_id(town.tables["registry_colonia"], "name")
    fields = {
        "id_tramo": cells(segments["id"]),
        "nombre": cells(segments["name"]),
        "tipo": cells(segments["street_type"]),
        "colonia": [colonia.get(c, "") for c in cells(segments["colonia_id"])],
        "num_izq_ini": cells(segments["left_from"]),
        "num_izq_fin": cells(segments["left_to"]),
        "num_der_ini": cells(segments["right_from"]),
        "num_der_fin": cells(segments["right_to"]),
    }
    write_layer(path, "calles", geometries(segments["geom"]), fields, srid)


def write_layer(
    path: Path, layer: str, shapes: np.ndarray, fields: dict[str, list[str]], srid: int
) -> None:
    path.unlink(missing_ok=True)
    pyogrio.raw.write(
        path,
        geometry=shapely.to_wkb(shapes),
        field_data=[np.array(values, dtype=object) for values in fields.values()],
        fields=list(fields),
        crs=f"EPSG:{srid}",
        geometry_type="Unknown",
        driver="GPKG",
        layer=layer,
    )


def money(cents: str, rng: np.random.Generator) -> str:
    if not cents:
        return ""
    value = float(cents)
    return f"${value:,.2f}" if rng.random() < 0.6 else f"{value:.2f}"


def day_month_year(iso: str) -> str:
    if not iso:
        return ""
    year, month, day = iso.split("-")
    return f"{day}/{month}/{year}"


def write_padron(town: Town, path: Path, srid: int) -> None:
    rng = np.random.default_rng(town.seed + 1)
    tables = town.tables
    accounts = tables["registry_account"]
    holder = by_id(tables["registry_holder"], "full_name")
    sector = by_id(tables["registry_sector"], "code")
    route = by_id(tables["registry_readingroute"], "code")
    meters = tables["registry_meter"]
    installed = [s != "retirado" for s in cells(meters["state"])]
    meter_of = {
        account: (serial, brand, diameter)
        for account, serial, brand, diameter, keep in zip(
            cells(meters["account_id"]), cells(meters["serial"]), cells(meters["brand"]),
            cells(meters["diameter"]), installed, strict=True,
        )
        if keep
    }  # fmt: skip
    collections = tables["registry_collectionsnapshot"]
    balance_of = {
        account: (balance, months, paid)
        for account, balance, months, paid in zip(
            cells(collections["account_id"]),
            cells(collections["balance"]),
            cells(collections["months_overdue"]),
            cells(collections["last_payment_on"]),
            strict=True,
        )
    }
    to_wgs84 = Transformer.from_crs(srid, 4326, always_xy=True)
    points = geometries(accounts["connection_point"])
    present = ~shapely.is_missing(points)
    lon = np.full(len(points), np.nan)
    lat = np.full(len(points), np.nan)
    lon[present], lat[present] = to_wgs84.transform(
        shapely.get_x(points[present]), shapely.get_y(points[present])
    )
    columns = {
        name: cells(values) for name, values in accounts.items() if name != "connection_point"
    }
    with path.open("w", encoding="cp1252", errors="replace", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(PADRON_HEADER)
        for i, account_id in enumerate(columns["id"]):
            serial, brand, diameter = meter_of.get(account_id, ("", "", ""))
            balance, months, paid = balance_of.get(account_id, ("", "", ""))
            tariff = TARIFF_SPELLINGS[columns["tariff"][i]]
            status = STATUS_SPELLINGS[columns["status"][i]]
            writer.writerow(
                [
                    columns["number"][i],
                    holder.get(columns["holder_id"][i], ""),
                    columns["billing_street"][i],
                    columns["billing_ext_number"][i],
                    columns["billing_int_number"][i],
                    columns["billing_colonia"][i],
                    columns["billing_postal_code"][i],
                    columns["billing_cadastral_key"][i],
                    tariff[rng.integers(len(tariff))],
                    columns["giro"][i],
                    status[rng.integers(len(status))],
                    columns["dwellings"][i],
                    day_month_year(columns["opened_on"][i]),
                    serial,
                    brand,
                    f'{diameter}"' if diameter and rng.random() < 0.3 else diameter,
                    sector.get(columns["sector_id"][i], ""),
                    route.get(columns["route_id"][i], ""),
                    money(balance, rng),
                    months,
                    day_month_year(paid),
                    "" if np.isnan(lat[i]) else f"{lat[i]:.6f}",
                    "" if np.isnan(lon[i]) else f"{lon[i]:.6f}",
                ]
            )


def export_town(town: Town, directory: Path, srid: int) -> TownFiles:
    directory.mkdir(parents=True, exist_ok=True)
    files = TownFiles(
        directory / "predios.gpkg", directory / "calles.gpkg", directory / "padron.csv"
    )
    write_parcels(town, files.parcels, srid)
    write_streets(town, files.streets, srid)
    write_padron(town, files.padron, srid)
    return files
