"""The demo town's files rewritten the way another town's offices would hand them over, to score
the linking on data it was not shaped on (``import_link.py --foreign``):

- the billing system writes cadastral keys without the state and municipality and without
  leading zeros ('11-011-004-017-012' becomes '4-17-12');
- the street layer carries no house-number ranges (as INEGI's and OpenStreetMap's do not);
- the cadastre gives its parcels no colonia, and leaves a fifth of them without an official
  number.

``--no-colonia`` writes the padrón without its COLONIA column (the address's street and number
then name a parcel in every colonia that has them; the reading route tells them apart).

``--one-field`` writes the padrón as billing systems that keep the address in one column do:
street, number, interior and colonia in ``DOMICILIO`` ('AVENIDA PERIFERICO No. 104 INT 2, COL
MERINO'), under other column names, read through a mapping file (``import_padron --map``).

The ground truth does not change: the same accounts on the same parcels."""

import csv
import re
from pathlib import Path

import numpy as np
import pyogrio

from gis_backend.demo.export import TownFiles

RANGE_FIELDS = ("num_izq_ini", "num_izq_fin", "num_der_ini", "num_der_fin")
UNNUMBERED_SHARE = 0.2
_LEADING_ZEROS = re.compile(r"(?<![0-9])0+(?=[0-9])")


def short_key(key: str) -> str:
    """A cadastral key as the other billing system writes it."""
    groups = key.split("-")
    return _LEADING_ZEROS.sub("", "-".join(groups[2:])) if len(groups) > 3 else key


def read_padron(path: Path) -> list[list[str]]:
    with path.open(encoding="cp1252", newline="") as handle:
        return list(csv.reader(handle, delimiter=";"))


def write_padron(path: Path, rows: list[list[str]]) -> None:
    with path.open("w", encoding="cp1252", newline="") as handle:
        csv.writer(handle, delimiter=";").writerows(rows)


def rewrite_padron(path: Path) -> None:
    rows = read_padron(path)
    column = rows[0].index("CLAVE_CATASTRAL")
    for row in rows[1:]:
        row[column] = short_key(row[column])
    write_padron(path, rows)


# The other billing system's names of the columns it keeps apart, as its mapping file gives them.
OTHER_NAMES = {"CUENTA": "NUM_CONTRATO", "TITULAR": "NOMBRE_USUARIO", "TARIFA": "TIPO_SERVICIO"}
ADDRESS_PARTS = ("CALLE", "NUMERO_EXT", "NUMERO_INT", "COLONIA")


def domicilio(street: str, number: str, interior: str, colonia: str) -> str:
    """One address field as such systems write it: 'HIDALGO 12 INT 3, COL CENTRO'."""
    text = " ".join(part for part in (street, number) if part)
    if interior:
        text += f" INT {interior}"
    return f"{text}, {colonia}" if colonia else text


def one_address_field(path: Path) -> Path:
    """Rewrite the padrón with its address in one column and other column names; return the
    mapping file that reads it (written beside it)."""
    rows = read_padron(path)
    header = rows[0]
    parts = [header.index(name) for name in ADDRESS_PARTS]
    kept = [index for index, name in enumerate(header) if name not in ADDRESS_PARTS]
    new_rows = [[OTHER_NAMES.get(header[index], header[index]) for index in kept] + ["DOMICILIO"]]
    new_rows += [
        [row[index] for index in kept] + [domicilio(*(row[index] for index in parts))]
        for row in rows[1:]
    ]
    write_padron(path, new_rows)
    mapping = path.with_name("mapeo.yaml")
    names = {**{other: ours.lower() for ours, other in OTHER_NAMES.items()}, "DOMICILIO": "calle"}
    mapping.write_text(
        "columns:\n" + "".join(f"  {other}: {ours}\n" for other, ours in names.items()),
        encoding="utf-8",
    )
    return mapping


def without_colonia(path: Path) -> None:
    """Rewrite the padrón without its COLONIA column, as billing systems that never kept one
    export it."""
    rows = read_padron(path)
    column = rows[0].index("COLONIA")
    write_padron(path, [row[:column] + row[column + 1 :] for row in rows])


def rewrite_layer(
    path: Path, drop: tuple[str, ...] = (), blank: dict[str, np.ndarray] | None = None
) -> None:
    """Write a layer again without the fields ``drop``, with ``blank[field]`` rows emptied."""
    meta, _fids, geometry, values = pyogrio.raw.read(path)
    fields = list(meta["fields"])
    kept = [i for i, name in enumerate(fields) if name not in drop]
    data = [values[i] for i in kept]
    for name, rows in (blank or {}).items():
        data[[fields[i] for i in kept].index(name)][rows] = ""
    path.unlink()
    pyogrio.raw.write(
        path,
        geometry=geometry,
        field_data=data,
        fields=[fields[i] for i in kept],
        crs=meta["crs"],
        geometry_type=meta["geometry_type"],
        driver="GPKG",
        layer=meta.get("layer_name") or path.stem,
    )


def foreignise(files: TownFiles, seed: int) -> None:
    rewrite_padron(files.padron)
    rewrite_layer(files.streets, drop=RANGE_FIELDS)
    count = pyogrio.read_info(files.parcels)["features"]
    unnumbered = np.random.default_rng(seed).random(count) < UNNUMBERED_SHARE
    everyone = np.ones(count, dtype=bool)
    rewrite_layer(files.parcels, blank={"numero": unnumbered, "colonia": everyone})
