"""The padrón a month later, as the billing system exports it again (``import_link.py --month``).

A utility imports its padrón every month and links again; this is that file for the town the
script loaded, seeded, with the same columns and layout:

- every account carries a balance at the new cut-off: a payment clears it for about two thirds
  of those that owed, a new bill adds to the others;
- 2 % of the accounts change status (a suspension ordered, a service restored);
- 1 % have their address written by another clerk: upper case, without accents, the street
  type abbreviated or spelt out, 'No.' before the number; the same place, so the same parcel;
- 1 % new contracts at addresses the padrón already has (a house divided, a shop at the
  front): a new account number, the same street, number, colonia and cadastral key, no meter
  yet, no connection point.

Accounts gone from the billing system are not dropped from the file: an import never deletes
(the registry keeps them; a baja is a status). The truth gains the new accounts, each on the
parcel of the address it copies; the others keep theirs."""

import csv
import unicodedata
from pathlib import Path

import numpy as np
from foreign import read_padron, write_padron  # bench/foreign.py, beside this script

STATUS_SHARE = 0.02
REWRITTEN_SHARE = 0.01
NEW_SHARE = 0.01
NEW_CONTRACT_DATE = "14/11/2026"
# A status and the one it changes to: suspensions ordered, services restored.
NEXT_STATUS = {"activo": "SUSPENDIDO", "a": "CORTADO", "restringido": "SUSPENDIDO"}
RESTORED = "ACTIVO"
STREET_TYPES = {"CALLE": "C.", "AVENIDA": "AV.", "C.": "CALLE", "AV.": "AVENIDA", "AVE.": "AV"}


def plain_upper(text: str) -> str:
    """Upper case without accents, as many billing terminals write."""
    decomposed = unicodedata.normalize("NFKD", text.upper())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def rewritten_street(street: str) -> str:
    words = plain_upper(street).split()
    if words and words[0] in STREET_TYPES:
        words[0] = STREET_TYPES[words[0]]
    return " ".join(words)


def rewritten_number(number: str) -> str:
    digits = number.strip().lstrip("#").removeprefix("No.").strip()
    return f"No. {digits}" if digits.isdigit() else number


def money(amount: float) -> str:
    return f"${amount:,.2f}"


def amount(text: str) -> float:
    cleaned = text.replace("$", "").replace(",", "").strip()
    return float(cleaned) if cleaned else 0.0


def next_month(padron: Path, truth: Path, out: Path, seed: int) -> tuple[Path, Path]:
    """Write the next month's padrón and its truth into ``out``; their paths."""
    rows = read_padron(padron)
    header, body = rows[0], rows[1:]
    col = {name: header.index(name) for name in header}
    rng = np.random.default_rng(seed + 1)
    draws = rng.random((len(body), 4))
    for row, (pays, status, rewrite, bill) in zip(body, draws, strict=True):
        owed = amount(row[col["SALDO"]])
        if owed > 0 and pays < 2 / 3:
            row[col["SALDO"]], row[col["MESES_ADEUDO"]] = money(0), "0"
            row[col["ULTIMO_PAGO"]] = f"{1 + int(bill * 27):02d}/11/2026"
        else:
            row[col["SALDO"]] = money(owed + 80 + round(bill * 300, 2))
            months = row[col["MESES_ADEUDO"]].strip()
            row[col["MESES_ADEUDO"]] = str(int(months) + 1 if months.isdigit() else 1)
        if status < STATUS_SHARE:
            current = row[col["ESTATUS"]].strip().lower()
            row[col["ESTATUS"]] = NEXT_STATUS.get(current, RESTORED)
        if rewrite < REWRITTEN_SHARE:
            row[col["CALLE"]] = rewritten_street(row[col["CALLE"]])
            row[col["NUMERO_EXT"]] = rewritten_number(row[col["NUMERO_EXT"]])
            row[col["COLONIA"]] = plain_upper(row[col["COLONIA"]])
    with truth.open(encoding="utf-8", newline="") as handle:
        truth_rows = list(csv.DictReader(handle))
    parcel_of = {row["account_number"]: row["parcel_key"] for row in truth_rows}
    taken = {row[col["CUENTA"]] for row in body}
    sources = rng.choice(len(body), size=int(len(body) * NEW_SHARE), replace=False)
    next_number = max(int(number) for number in taken if number.isdigit()) + 1
    new_truth = []
    for index in sorted(sources):
        source = body[index]
        row = list(source)
        row[col["CUENTA"]] = str(next_number)
        row[col["FECHA_ALTA"]] = NEW_CONTRACT_DATE
        row[col["ESTATUS"]] = RESTORED
        for name in ("MEDIDOR_SERIE", "MEDIDOR_MARCA", "MEDIDOR_DIAMETRO", "LAT", "LON"):
            row[col[name]] = ""
        row[col["SALDO"]], row[col["MESES_ADEUDO"]], row[col["ULTIMO_PAGO"]] = money(0), "0", ""
        body.append(row)
        new_truth.append((str(next_number), parcel_of[source[col["CUENTA"]]]))
        next_number += 1
    out.mkdir(parents=True, exist_ok=True)
    month_padron = out / "padron_noviembre.csv"
    write_padron(month_padron, [header, *body])
    month_truth = out / "accounts_noviembre.csv"
    with month_truth.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["account_number", "parcel_key"])
        writer.writerows((row["account_number"], row["parcel_key"]) for row in truth_rows)
        writer.writerows(new_truth)
    return month_padron, month_truth
