"""Billing addresses written the way real billing files hold them (see DOMAIN.md): "C. HIDALGO",
"CALLE MIGUEL HIDALGO", "Hidalgo", "AV. SOLIDARIDAD", missing accents, one-letter typos, upper
or lower case, "123-A", "S/N", "CONOCIDO", "INT 2", "COL. CENTRO", postal code often missing.

Each distinct street and colonia gets a small table of spellings, and each account picks one
by weighted draw, so a million addresses cost a few array lookups. The quality class of every
address goes to the ground truth.
"""

from dataclasses import dataclass

import numpy as np

from gis_backend.demo.copytext import join
from gis_backend.demo.holders import ascii_upper
from gis_backend.registry.choices import SettlementType, StreetType

# How the billing file writes each street type: (full, abbreviations...).
TYPE_WORDS: dict[str, tuple[str, ...]] = {
    StreetType.STREET: ("Calle", "C.", "Cll."),
    StreetType.AVENUE: ("Avenida", "Av.", "Ave."),
    StreetType.BOULEVARD: ("Boulevard", "Blvd.", "Blvd"),
    StreetType.CAUSEWAY: ("Calzada", "Calz.", "Calz"),
    StreetType.PRIVATE: ("Privada", "Priv.", "Pva."),
    StreetType.EXTENSION: ("Prolongación", "Prol.", "Prol"),
    StreetType.ALLEY: ("Callejón", "Cjon.", "Callejon"),
    StreetType.CLOSE: ("Cerrada", "Cda.", "Cerr."),
    StreetType.WALKWAY: ("Andador", "And.", "Andad."),
}
# Spellings of a street, with weights; {T} full type, {A} abbreviation, {F} full name,
# {S} short name; a trailing "^" means upper case without accents, "_" lower case.
STREET_FORMS: tuple[tuple[str, float], ...] = (
    ("{T} {F}^", 0.15),
    ("{A} {S}^", 0.11),
    ("{S}", 0.09),
    ("{F}^", 0.13),
    ("{T} {F}", 0.12),
    ("{A} {F}", 0.08),
    ("{T} {F}_", 0.04),
    ("{A}{F}^", 0.04),
    ("{A} {F}^", 0.10),
    ("{T} {S}^", 0.08),
)
STREET_TYPO_SHARE = 0.05
COLONIA_TYPO_SHARE = 0.03
COLONIA_BLANK_SHARE = 0.03
POSTAL_CODE_SHARE = 0.70
NO_NUMBER_SHARE = 0.025  # "S/N" although the lot has an official number
NUMBER_FORMS: tuple[tuple[str, float], ...] = (
    ("{n}", 0.88),
    ("#{n}", 0.05),
    ("No. {n}", 0.04),
    ("{n} ", 0.03),
)
NO_NUMBER_FORMS = ("S/N", "SN", "S/N.", "s/n", "SIN NUMERO")
INTERIOR_FORMS = ("INT {u}", "Depto {u}", "INT. {u}", "DEPTO. {u}", "{u}", "Int. {u}")
SETTLEMENT_FORMS: dict[str, tuple[str, ...]] = {
    SettlementType.COLONIA: ("COL. {N}", "Col. {n}", "{N}", "{n}", "COLONIA {N}", "COL {N}"),
    SettlementType.DEVELOPMENT: (
        "FRACC. {N}",
        "Fracc. {n}",
        "FRACCIONAMIENTO {N}",
        "{N}",
        "FRACC {N}",
    ),
    SettlementType.NEIGHBOURHOOD: ("BARRIO DE {N}", "Bo. {n}", "{N}", "BARRIO {N}"),
    SettlementType.HOUSING_UNIT: ("{N}", "U.H. {N}", "UNIDAD HAB. {N}", "{n}"),
    SettlementType.EJIDO: ("{N}", "{n}", "EJ. {N}"),
    SettlementType.HAMLET: ("RANCHERIA {N}", "Ranchería {n}", "{N}"),
    SettlementType.DOWNTOWN: ("ZONA CENTRO", "CENTRO", "Col. Centro", "COL. CENTRO", "Zona Centro"),
}
# Address quality classes written to the ground truth.
CLEAN, MESSY, NO_NUMBER, HOPELESS = "clean", "messy", "no_number", "hopeless"
_TEXT = np.dtypes.StringDType()


@dataclass
class Addresses:
    """Columns of StringDType arrays, one entry per account."""

    street: np.ndarray
    ext_number: np.ndarray
    int_number: np.ndarray
    colonia: np.ndarray
    postal_code: np.ndarray
    quality: np.ndarray
    weak: np.ndarray  # bool: no number or no colonia, the address alone cannot place it


def typo(rng: np.random.Generator, text: str) -> str:
    """One-letter swap or deletion inside a word longer than three letters."""
    letters = [i for i, c in enumerate(text) if c.isalpha()]
    if len(letters) < 4:
        return text + text[-1]
    i = int(letters[1 + rng.integers(0, len(letters) - 2)])
    if (
        rng.random() < 0.5
        and i + 1 < len(text)
        and text[i + 1].isalpha()
        and text[i] != text[i + 1]
    ):
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    return text[:i] + text[i + 1 :]


def _render(form: str, words: dict[str, str]) -> str:
    case = form[-1] if form[-1] in "^_" else ""
    text = form.rstrip("^_")
    for key, value in words.items():
        text = text.replace("{" + key + "}", value)
    if case == "^":
        return ascii_upper(text)
    return text.lower() if case == "_" else text


def street_spellings(
    rng: np.random.Generator, name: str, short: str, street_type: str
) -> list[str]:
    """Every spelling of one street: the forms of STREET_FORMS, then two typos."""
    words = TYPE_WORDS[street_type]
    spellings = []
    for form, _ in STREET_FORMS:
        abbr = words[1 + int(rng.integers(0, len(words) - 1))]
        spellings.append(_render(form, {"T": words[0], "A": abbr, "F": name, "S": short}))
    spellings.append(typo(rng, ascii_upper(f"{words[1]} {name}")))
    spellings.append(typo(rng, name))
    return spellings


def colonia_spellings(rng: np.random.Generator, name: str, settlement_type: str) -> list[str]:
    """Every spelling of one colonia: its forms, then a typo."""
    forms = SETTLEMENT_FORMS[settlement_type]
    spellings = [_render(f, {"N": ascii_upper(name), "n": name}) for f in forms]
    spellings.append(typo(rng, ascii_upper(name)))
    return spellings


def _pick(
    rng: np.random.Generator, table: list[list[str]], row: np.ndarray, column: np.ndarray
) -> np.ndarray:
    width = max(len(r) for r in table)
    padded = np.array([r + [r[0]] * (width - len(r)) for r in table], dtype=_TEXT)
    return padded[row, column]


@dataclass
class AddressInput:
    street: np.ndarray  # catalogue index of the true street
    number: np.ndarray  # official number of the true lot
    unit: np.ndarray  # 0-based unit on lots with several accounts
    units: np.ndarray  # accounts on the lot when they have interior numbers, else 1
    colonia: np.ndarray
    hopeless: np.ndarray  # must be written without a number


def write_addresses(
    rng: np.random.Generator,
    streets: tuple[list[str], list[str], list[str]],
    colonias: tuple[list[str], list[str], list[str]],
    data: AddressInput,
) -> Addresses:
    """``streets`` = (names, short names, types); ``colonias`` = (names, types, postal codes)."""
    n = len(data.street)
    street_table = [street_spellings(rng, *s) for s in zip(*streets, strict=True)]
    weights = np.array([w for _, w in STREET_FORMS])
    form = rng.choice(len(STREET_FORMS), size=n, p=weights / weights.sum())
    street_typo = rng.random(n) < STREET_TYPO_SHARE
    form = np.where(street_typo, len(STREET_FORMS) + rng.integers(0, 2, size=n), form)
    street = _pick(rng, street_table, data.street, form)

    colonia_table = [
        colonia_spellings(rng, name, kind)
        for name, kind in zip(colonias[0], colonias[1], strict=True)
    ]
    n_forms = np.array([len(SETTLEMENT_FORMS[k]) for k in colonias[1]])[data.colonia]
    col_form = np.floor(rng.random(n) * n_forms).astype(np.int64)
    draw = rng.random(n)
    colonia_typo = draw < COLONIA_TYPO_SHARE
    colonia_blank = (draw >= COLONIA_TYPO_SHARE) & (draw < COLONIA_TYPO_SHARE + COLONIA_BLANK_SHARE)
    col_form = np.where(colonia_typo, n_forms, col_form)
    colonia = np.where(colonia_blank, "", _pick(rng, colonia_table, data.colonia, col_form))
    postal = np.array(colonias[2], dtype=_TEXT)[data.colonia]
    postal = np.where(rng.random(n) < POSTAL_CODE_SHARE, postal, "")

    ext, interior, no_number = _numbers(rng, data)
    quality = np.where(street_typo | colonia_typo | colonia_blank, MESSY, CLEAN)
    quality = np.where(no_number, NO_NUMBER, quality)
    quality = np.where(data.hopeless, HOPELESS, quality)
    return Addresses(
        street=street,
        ext_number=np.asarray(ext, dtype=_TEXT),
        int_number=interior,
        colonia=np.asarray(colonia, dtype=_TEXT),
        postal_code=np.asarray(postal, dtype=_TEXT),
        quality=np.asarray(quality, dtype=_TEXT),
        weak=no_number | colonia_blank,
    )


def _numbers(
    rng: np.random.Generator, data: AddressInput
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n = len(data.number)
    text = data.number.astype(_TEXT)
    weights = np.array([w for _, w in NUMBER_FORMS])
    form = rng.choice(len(NUMBER_FORMS), size=n, p=weights / weights.sum())
    ext = _around(NUMBER_FORMS_SPLIT, form, text)
    multi = data.units > 1
    letter = np.array(list("ABCDEFGHIJ"))[np.minimum(data.unit, 9)]
    unit_label = np.where(rng.random(n) < 0.5, letter, (data.unit + 1).astype(str)).astype(_TEXT)
    suffixed = multi & (rng.random(n) < 0.25)
    ext = np.where(suffixed, join(text, "-", unit_label), ext)
    labelled = _around(
        INTERIOR_FORMS_SPLIT, rng.integers(0, len(INTERIOR_FORMS), size=n), unit_label
    )
    interior = np.where(multi & ~suffixed, labelled, "").astype(_TEXT)
    no_number = data.hopeless | (rng.random(n) < NO_NUMBER_SHARE)
    blank = np.array(NO_NUMBER_FORMS, dtype=_TEXT)[rng.integers(0, len(NO_NUMBER_FORMS), size=n)]
    blank = np.where(data.hopeless & (rng.random(n) < 0.3), "CONOCIDO", blank)
    ext = np.where(no_number, blank, ext).astype(_TEXT)
    return ext, interior, no_number


def _split(patterns: tuple[str, ...], slot: str) -> tuple[np.ndarray, np.ndarray]:
    pairs = [p.partition(slot) for p in patterns]
    return np.array([b for b, _, _ in pairs], dtype=_TEXT), np.array(
        [a for _, _, a in pairs], dtype=_TEXT
    )


def _around(split: tuple[np.ndarray, np.ndarray], form: np.ndarray, text: np.ndarray) -> np.ndarray:
    """``text`` placed in pattern ``form`` of a split pattern table."""
    return join(split[0][form], text, split[1][form])


NUMBER_FORMS_SPLIT = _split(tuple(p for p, _ in NUMBER_FORMS), "{n}")
INTERIOR_FORMS_SPLIT = _split(INTERIOR_FORMS, "{u}")
