"""Fake but plausible account holders: names, RFC, CURP, phones. Invented data only; none of it is
ever printed (it is personal data in a real padrón)."""

import unicodedata
from dataclasses import dataclass

import numpy as np

from gis_backend.demo import names
from gis_backend.demo.accounts import COMMERCIAL, INDUSTRIAL, MIXED, PUBLIC
from gis_backend.demo.copytext import TEXT as _TEXT
from gis_backend.demo.copytext import join as _join
from gis_backend.registry.choices import HolderRelation

RFC_SHARE_PERSON = 0.30
RFC_SHARE_COMPANY = 0.90
CURP_SHARE = 0.40  # of persons
PHONE_SHARE = 0.65
EMAIL_SHARE = 0.08
RELATIONS: tuple[tuple[str, float], ...] = (
    (HolderRelation.OWNER, 0.80),
    (HolderRelation.TENANT, 0.17),
    (HolderRelation.OTHER, 0.03),
)
_ALNUM = np.array(list("ABCDEFGHIJKLMNPQRSTUVWXYZ0123456789"))
_LETTERS = np.array(list("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
_VOWELS = "AEIOU"


@dataclass
class Holders:
    """Columns of StringDType arrays, one entry per holder."""

    full_name: np.ndarray
    rfc: np.ndarray
    curp: np.ndarray
    phone: np.ndarray
    email: np.ndarray
    relation: np.ndarray

    def __len__(self) -> int:
        return len(self.full_name)


def ascii_upper(text: str) -> str:
    """Upper case without accents; Ñ kept (RFC allows it)."""
    text = text.replace("Ñ", "\0")
    plain = "".join(
        c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn"
    )
    return plain.replace("\0", "Ñ").upper()


def _first_vowel(word: str) -> str:
    return next((c for c in word[1:] if c in _VOWELS), "X")


def _first_consonant(word: str) -> str:
    return next((c for c in word[1:] if c.isalpha() and c not in _VOWELS), "X")


def _pieces(words: tuple[str, ...]) -> dict[str, np.ndarray]:
    plain = [ascii_upper(w.split()[0].strip(".")) for w in words]
    return {
        "initial": np.array([w[0] for w in plain]),
        "vowel": np.array([_first_vowel(w) for w in plain]),
        "consonant": np.array([_first_consonant(w).replace("Ñ", "X") for w in plain]),
    }


def _code(
    rng: np.random.Generator, n: int, length: int, alphabet: np.ndarray = _ALNUM
) -> np.ndarray:
    """Random codes drawn from ``alphabet`` (single ASCII characters)."""
    ascii_codes = np.frombuffer("".join(alphabet.tolist()).encode("ascii"), dtype=np.uint8)
    picks = ascii_codes[rng.integers(0, len(ascii_codes), size=(n, length))]
    return np.ascontiguousarray(picks).view(f"S{length}").ravel().astype(np.dtypes.StringDType())


def draw_holders(rng: np.random.Generator, tariff: np.ndarray, activity: np.ndarray) -> Holders:
    """One holder per entry of ``tariff``; ``activity`` indexes names.BUSINESSES (or INDUSTRIES
    for industrial accounts)."""
    n = len(tariff)
    female = rng.random(n) < 0.5
    male_i = rng.integers(0, len(names.MALE_NAMES), size=n)
    female_i = rng.integers(0, len(names.FEMALE_NAMES), size=n)
    pat = rng.integers(0, len(names.SURNAMES), size=n)
    mat = rng.integers(0, len(names.SURNAMES), size=n)
    given = np.where(
        female,
        np.array(names.FEMALE_NAMES, dtype=_TEXT)[female_i],
        np.array(names.MALE_NAMES, dtype=_TEXT)[male_i],
    )
    surnames = np.array(names.SURNAMES)
    person = _join(given, " ", surnames[pat], " ", surnames[mat])
    company = np.isin(tariff, [COMMERCIAL, INDUSTRIAL, MIXED, PUBLIC]) & (rng.random(n) < 0.7)
    full_name = np.where(company, _company_names(rng, tariff, activity, pat), person)

    birth = np.datetime64("1940-01-01") + rng.integers(0, 365 * 62, size=n)
    yymmdd = np.strings.slice(
        np.strings.replace(birth.astype(str).astype(np.dtypes.StringDType()), "-", ""), 2, 8
    )
    sp, sm = _pieces(names.SURNAMES), _pieces(names.SURNAMES)
    gm, gf = _pieces(names.MALE_NAMES), _pieces(names.FEMALE_NAMES)
    given_initial = np.where(female, gf["initial"][female_i], gm["initial"][male_i])
    given_consonant = np.where(female, gf["consonant"][female_i], gm["consonant"][male_i])
    letters = _join(sp["initial"][pat], sp["vowel"][pat], sm["initial"][mat], given_initial)
    rfc_person = _join(letters, yymmdd, _code(rng, n, 3))
    rfc_company = _join(_code(rng, n, 3, _LETTERS), yymmdd, _code(rng, n, 3))
    rfc = np.where(company, rfc_company, rfc_person)
    has_rfc = rng.random(n) < np.where(company, RFC_SHARE_COMPANY, RFC_SHARE_PERSON)
    rfc = np.where(has_rfc, rfc, "")
    curp_letters = np.strings.replace(letters, "Ñ", "X")
    curp = _join(
        curp_letters,
        yymmdd,
        np.where(female, "M", "H"),
        "GT",
        sp["consonant"][pat],
        sm["consonant"][mat],
        given_consonant,
        np.where(birth < np.datetime64("2000-01-01"), "0", "A"),
        rng.integers(0, 10, size=n).astype(str),
    )
    curp = np.where(~company & (rng.random(n) < CURP_SHARE), curp, "")
    phone = _join(
        np.where(rng.random(n) < 0.6, "461", "411"),
        rng.integers(1000000, 9999999, size=n).astype(str),
    )
    phone = np.where(rng.random(n) < PHONE_SHARE, phone, "")
    email = np.where(
        rng.random(n) < EMAIL_SHARE, _join("usuario", np.arange(n).astype(str), "@example.com"), ""
    )
    relation = np.array([str(r) for r, _ in RELATIONS])[
        rng.choice(len(RELATIONS), size=n, p=[s for _, s in RELATIONS])
    ]
    columns = [full_name, rfc, curp, phone, email, relation]
    return Holders(*(np.asarray(c, dtype=np.dtypes.StringDType()) for c in columns))


def _company_names(
    rng: np.random.Generator, tariff: np.ndarray, activity: np.ndarray, pat: np.ndarray
) -> np.ndarray:
    n = len(tariff)
    business = np.array([b for b, _ in names.BUSINESSES], dtype=_TEXT)[
        activity % len(names.BUSINESSES)
    ]
    industry = np.array([b for b, _ in names.INDUSTRIES], dtype=_TEXT)[
        activity % len(names.INDUSTRIES)
    ]
    public = np.array(names.PUBLIC_BODIES, dtype=_TEXT)[
        rng.integers(0, len(names.PUBLIC_BODIES), size=n)
    ]
    surname = np.array(names.SURNAMES, dtype=_TEXT)[pat]
    return np.select(
        [tariff == INDUSTRIAL, tariff == PUBLIC],
        [
            _join(industry, " DEL BAJÍO S.A. DE C.V."),
            _join(public, " NÚM. ", rng.integers(1, 40, size=n).astype(str)),
        ],
        default=_join(business, " ", surname),
    )
