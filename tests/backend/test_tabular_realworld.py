"""Billing exports as they really arrive, through the padrón import: what the user sees in the
summary, the database and the rejects file."""

import csv
from pathlib import Path

import pytest

from gis_backend.imports.padron import import_padron
from gis_backend.registry.models import Account

pytestmark = pytest.mark.django_db

HEADER = "cuenta;titular;calle;numero_ext;colonia"


def rejects(path: str, delimiter: str = ";") -> list[list[str]]:
    with Path(path).open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle, delimiter=delimiter))


def test_zero_padded_codes_in_an_unquoted_mapping(tmp_path: Path) -> None:
    mapping = tmp_path / "mapeo.yaml"
    mapping.write_text(
        "columns:\n  TIPO_SERVICIO: tarifa\n"
        "values:\n  tarifa:\n    01: domestico_popular\n    010: comercial\n    09: industrial\n",
        encoding="utf-8",
    )
    path = tmp_path / "codigos.csv"
    path.write_text("cuenta;TIPO_SERVICIO\n01801;01\n01802;010\n01803;09\n", encoding="utf-8")
    summary = import_padron(path, mapping=mapping)
    assert (summary.created, summary.rejected) == (3, 0)
    tariffs = dict(Account.objects.values_list("number", "tariff"))
    assert tariffs == {"01801": "domestico_popular", "01802": "comercial", "01803": "industrial"}


def test_separator_ending_every_row(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text(
        f"{HEADER}\n00711;A;MORELOS;105;SAN JOSE;\n00712;B;MORELOS;107;SAN JOSE;\n",
        encoding="utf-8",
    )
    summary = import_padron(path)
    assert (summary.read, summary.created, summary.rejected) == (2, 2, 0)


def test_unquoted_comma_in_a_name_comes_back_whole(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text(
        "cuenta,titular,calle,numero_ext,colonia\n"
        "00801,PEREZ, JUAN,MORELOS,105,SAN JOSE\n"
        '00802,"PEREZ, ANA",MORELOS,107,SAN JOSE\n',
        encoding="utf-8",
    )
    summary = import_padron(path)
    assert (summary.created, summary.rejected) == (1, 1)
    assert rejects(summary.rejects_path, ",")[1] == [
        "00801", "PEREZ", " JUAN", "MORELOS", "105", "SAN JOSE",
        "6 campos; el encabezado tiene 5",
    ]  # fmt: skip


def test_unclosed_quote_rejects_its_row_only(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text(
        f"{HEADER}\n"
        '00901;"LA GUADALUPANA S.A.;MORELOS;105;SAN JOSE\n'
        "00902;B;MORELOS;107;SAN JOSE\n"
        "00903;C;MORELOS;109;SAN JOSE\n"
        "00904;D;MORELOS;111;SAN JOSE\n",
        encoding="utf-8",
    )
    summary = import_padron(path)
    assert (summary.read, summary.created, summary.rejected) == (4, 3, 1)
    assert [str(p) for p in summary.errors] == [
        "p.csv, línea 2: comillas sin cerrar en el campo «titular»: el campo seguía hasta la "
        "línea 5; ciérrelas o quítelas (las líneas que tomaba se leyeron como registros aparte)"
    ]
    holder = Account.objects.get(number="00902").holder
    assert holder is not None and holder.full_name == "B"
    row = rejects(summary.rejects_path)[1]
    assert row[:5] == ["00901", '"LA GUADALUPANA S.A.', "MORELOS", "105", "SAN JOSE"]
