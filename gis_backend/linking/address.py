"""Mexican address normalisation: pure Python, no Django, no database.

Billing files write one street many ways ("C. MIGUEL HIDALGO", "Calle Hidalgo", "HIDALGGO"); the
linker matches them against the street and parcel layers by comparing *normalised* forms, exactly
and with pg_trgm. Everything here is deterministic: the same input always gives the same output,
so keys computed in Python can be stored in columns and compared in PostgreSQL.

Three levels of normalisation:

``normalize_text(s)``
    Upper case, accents removed, punctuation to spaces, whitespace collapsed. **Ñ folds to N**
    ("PEÑA" = "PENA"), as PostgreSQL's ``unaccent`` does and as people type without the key; for
    ordinary accented text ``trim(regexp_replace(upper(unaccent(s)), '[^A-Z0-9]+', ' ', 'g'))``
    gives the same result. UTF-8 text mis-read as Latin-1 ("PEÃ‘A") is repaired first.

``StreetName.name`` / ``ColoniaName.name``
    The name as written, without its type ("C." / "Priv." / "Col." / "Fracc."), abbreviations
    spelled out (STA. -> SANTA, SN. -> SAN, GRAL. -> GENERAL, OTE. -> ORIENTE), numbers canonical
    ("CINCO DE MAYO" -> "5 DE MAYO", "SEGUNDA SECCION" -> "2 SECCION", trailing roman numerals
    -> digits). Readable; use it for display and as the trigram target.

``StreetName.key`` / ``ColoniaName.key``
    The comparison key: the name without articles and connectors (DE, DEL, LA, LAS, LOS, EL, Y),
    without titles that precede a name (LIC., GRAL., DR. …), with the full names of a curated
    table of national figures reduced to the surname the street is commonly called by ("LIC.
    BENITO JUAREZ" -> JUAREZ, "MIGUEL HIDALGO Y COSTILLA" -> HIDALGO), and words that *sound*
    like a known street word snapped to its spelling ("JUARES" -> JUAREZ), or that are one slip
    of the keyboard from one (letters swapped, dropped or added, six letters or more: "MAEDRO"
    -> MADERO, so that "FRANCISCO I. MAEDRO" is MADERO too). A street's ordinal
    ("1A. PRIVADA DE ALLENDE") leads its key ("1 ALLENDE"). ``phonetic_key()`` of the key folds
    what Spanish spelling confuses (S/Z/C, LL/Y, B/V, silent H, doubled letters) for fuzzy use.

Street type matters: "PRIVADA HIDALGO" is not "HIDALGO". ``StreetName.match_key`` prefixes the
key with the types that name a *different* street (privada, cerrada, callejón, andador, circuito,
prolongación); calle, avenida, boulevard, calzada and carretera are dropped from billing
addresses so often that they are not told apart. ``street_similarity()`` applies that rule.

The vocabulary lives in ``vocabulary/`` (libpostal's Spanish dictionaries, MIT licence, plus the
project's Mexican additions); see ``vocabulary/NOTICE.md``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cache, lru_cache
from pathlib import Path
from typing import Generic, TypeVar

__all__ = [
    "DISTINCT_STREET_TYPES",
    "SETTLEMENT_TYPES",
    "STREET_TYPES",
    "Address",
    "ColoniaName",
    "HouseNumber",
    "StreetName",
    "normalize_text",
    "parse_address",
    "parse_colonia",
    "parse_interior",
    "parse_number",
    "parse_street",
    "phonetic_key",
    "similarity",
    "street_similarity",
]

VOCABULARY_DIR = Path(__file__).resolve().parent / "vocabulary"

#: Stored street-type slugs (``registry.choices.StreetType``).
STREET_TYPES = (
    "calle",
    "avenida",
    "boulevard",
    "calzada",
    "privada",
    "prolongacion",
    "callejon",
    "cerrada",
    "circuito",
    "andador",
    "carretera",
)
#: Types that name a street different from the same-named through street.
DISTINCT_STREET_TYPES = frozenset(
    {"privada", "prolongacion", "callejon", "cerrada", "circuito", "andador"}
)
#: Stored settlement-type slugs (``registry.choices.SettlementType``).
SETTLEMENT_TYPES = (
    "colonia",
    "fraccionamiento",
    "barrio",
    "unidad_habitacional",
    "ejido",
    "rancheria",
    "centro",
)

# libpostal's Spanish abbreviations that are ambiguous or wrong in Mexican addresses (single
# letters, Spain-only forms, ordinary words), written as normalised phrases.
_AMBIGUOUS_LIBPOSTAL = frozenset(
    {
        "P", "G", "V", "PO", "P O", "CA", "BO", "CR", "CH", "C H", "CN", "C N", "CV", "C V",
        "CM", "GV", "G V", "VD", "AUTO", "VER", "RIN", "TRAS", "BARDA", "CANT", "SEND", "BDA",
    }
)  # fmt: skip
_STOPWORDS = frozenset({"DE", "DEL", "LA", "LAS", "LOS", "EL", "Y"})
# The shortest misspelt word read as the frequent word it is one slip away from (_retyped): in
# shorter ones a slip makes another word too often ('CAMPO', OCAMPO without its first letter).
TYPO_MIN_LENGTH = 6
_DIRECTIONS = frozenset({"NORTE", "SUR", "ORIENTE", "PONIENTE"})
# Abbreviations that expand only before another word ("SN JUAN" = SAN JUAN; a final SN is "S/N").
_PREFIX_ONLY = frozenset({("SN",), ("MA",)})
# Nouns an ordinal may number ("2DA SECCION"); street-type words are added by the loader.
_ORDINAL_NOUNS = frozenset({"SECCION", "ETAPA", "FASE", "SECTOR", "AMPLIACION", "BARRIO"})
# Nouns whose number is written first in the canonical name ("SECCION 2" -> "2 SECCION").
_NUMBER_FIRST = frozenset({"SECCION", "ETAPA", "FASE"})
_HOUSING_AGENCIES = frozenset({"INFONAVIT", "FOVISSSTE"})
_CROSS_STREET_MARKERS = frozenset({"ESQ", "ESQUINA", "ENTRE"})
# Words that continue a name, so cannot open a colonia after a bare number ("JUAREZ 16 DE …").
_CONNECTORS = frozenset({"DE", "DEL", "Y", "E", "A", "CON"})
_NOTHING = frozenset({"NA", "N A", "NINGUNO", "NO APLICA", "X"})  # "nothing" in a field
_QUALIFIER_WORDS = frozenset({"AMPLIACION", "SECCION", "SECTOR", "CIUDAD", "POBLADO", "ZONA"})
# Type words and abbreviations that billing files glue to the name without a space or a dot
# ("BLVDLAS FUENTES", "CALLEJONHIDALGO"), with the letters the rest must keep. Abbreviations no
# Spanish word begins with need 2; words and word-like ones need 4 ("CALLEJAS", "CALZADO" stay),
# and PROL is not split before an E (PROLETARIA).
_GLUED_PREFIXES = (
    ("PROLONGACION", 4), ("CARRETERA", 4), ("BOULEVARD", 4), ("CALLEJON", 4), ("CIRCUITO", 4),
    ("AVENIDA", 4), ("PRIVADA", 4), ("CERRADA", 4), ("CALZADA", 4), ("ANDADOR", 4),
    ("BULEVAR", 4), ("CALLE", 4), ("CALZ", 4), ("PROL", 4), ("BLVD", 2), ("BLVR", 2),
    ("CJON", 2), ("PVDA", 2), ("AVDA", 2), ("CDA", 2), ("CTO", 2), ("CLL", 2), ("PVA", 2),
)  # fmt: skip

_DIGIT_ORDINAL = re.compile(r"^(\d{1,2})(?:ERO|ERA|ER|RO|RA|DO|DA|TO|TA|MO|MA|VO|VA|NO|NA|O|A)$")
_ROMAN = re.compile(r"^(?=[IVX])X{0,3}(?:IX|IV|V?I{0,3})$")
_POSTAL_CODE = re.compile(r"(?<![A-Z0-9])(?:C\.?\s?P\.?|CODIGO\s+POSTAL)\s*[:.#]?\s*(\d{5})(?!\d)")
_WORD = re.compile(r"[A-Z0-9]+")
_NUMBER_PAIR = re.compile(r"^[YE]\s*\d+\s*$")
_CANDIDATE = re.compile(r"[A-Z0-9]+|#")
_NUMBER_START = re.compile(r"\d|[A-Z]+|#")  # a candidate's first token, as _NUMBER_LEXEME reads it
_NUMBER_LEXEME = re.compile(r"\d+(?:\.\d+)?|[A-Z]+|[#/+,:-]")
_SEPARATORS = frozenset({",", "-", "/", "+", ":"})
_CHAR_MAP = str.maketrans(
    {"°": "O", "º": "O", "ª": "A", "–": "-", "—": "-", "‐": "-", "’": "'", "´": "'"}
)

T = TypeVar("T")
Phrase = tuple[str, ...]


# --------------------------------------------------------------------------------------------
# Text folding


def _repair_mojibake(s: str) -> str:
    """UTF-8 bytes read as Latin-1/CP1252 ("PEÃ‘A") back to text ("PEÑA"); else unchanged."""
    if "Ã" not in s and "Â" not in s:
        return s
    for codec in ("cp1252", "latin-1"):
        try:
            return s.encode(codec).decode("utf-8")
        except UnicodeError:
            continue
    return s


def _fold(s: str | None) -> str:
    """Upper case without accents (Ñ -> N), punctuation kept, whitespace collapsed."""
    text = s or ""
    if not text.isascii():
        text = unicodedata.normalize("NFKD", _repair_mojibake(text).translate(_CHAR_MAP))
        text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(text.upper().split())


def normalize_text(s: str | None) -> str:
    """Upper case, accents removed (Ñ -> N), anything but A-Z and 0-9 to one space, trimmed."""
    return " ".join(_WORD.findall(_fold(s)))


def _words(s: str | None) -> Phrase:
    return tuple(normalize_text(s).split())


def _number_phrase(s: str) -> Phrase:
    """A phrase of the house-number vocabulary as tokens; '#' is a word there."""
    return tuple(re.findall(r"[A-Z0-9]+|#", _fold(s)))


# --------------------------------------------------------------------------------------------
# Phonetic folding and similarity


_SOFT_QU = re.compile(r"QU(?=[EI])")
_HARD_GU = re.compile(r"GU(?=[EI])")
_SOFT_G = re.compile(r"G(?=[EI])")
_SOFT_C = re.compile(r"C(?=[EI])")
_VOWEL_Y = re.compile(r"Y(?![AEIOU])")
_DOUBLED = re.compile(r"(.)\1+")


def _phonetic_word(word: str) -> str:
    if not word.isalpha():
        return word
    w = word.replace("CH", "\x01").replace("LL", "Y")
    w = _SOFT_QU.sub("K", w).replace("QU", "K")
    w = _SOFT_G.sub("J", _HARD_GU.sub("\x02", w)).replace("\x02", "G")
    w = _SOFT_C.sub("S", w).replace("C", "K")
    w = w.replace("Z", "S").replace("V", "B").replace("H", "")
    w = _VOWEL_Y.sub("I", w).replace("NB", "MB")
    w = _DOUBLED.sub(r"\1", w)
    return w.replace("\x01", "CH")


def phonetic_key(s: str | None) -> str:
    """Spanish sound-alike folding of ``normalize_text(s)``, word by word.

    S/Z/soft C -> S, hard C/QU -> K, soft G -> J, LL/Y -> Y, V -> B, silent H dropped, doubled
    letters collapsed: "JUARES"/"JUAREZ", "MORELOZ"/"MORELOS", "HIDALGGO"/"HIDALGO",
    "INDEPENDENSIA"/"INDEPENDENCIA", "CUAHUTEMOC"/"CUAUHTEMOC" agree. Digits are kept.
    """
    return " ".join(_phonetic_word(w) for w in normalize_text(s).split())


def _trigrams(s: str) -> set[str]:
    grams: set[str] = set()
    for word in s.lower().split():
        padded = f"  {word} "
        grams.update(padded[i : i + 3] for i in range(len(padded) - 2))
    return grams


def similarity(a: str | None, b: str | None) -> float:
    """pg_trgm's ``similarity()`` on the normalised texts, in pure Python: shared trigrams of
    the space-padded words over all distinct trigrams, in [0, 1]; 0 when either is empty."""
    ta, tb = _trigrams(normalize_text(a)), _trigrams(normalize_text(b))
    if not ta or not tb:
        return 0.0
    common = len(ta & tb)
    return common / (len(ta) + len(tb) - common)


# --------------------------------------------------------------------------------------------
# Vocabulary


@dataclass(frozen=True, slots=True)
class _TypeWord:
    slug: str  # stored street-type slug, or "" for a type word kept inside the name
    word: str  # the full word, normalised


class _Phrases(dict[Phrase, T], Generic[T]):
    """A phrase table that knows its first words and longest phrase: most look-ups end at one
    set test. Built once, never changed."""

    def __init__(self, items: Mapping[Phrase, T]) -> None:
        super().__init__(items)
        self.firsts = frozenset(phrase[0] for phrase in items if phrase)
        self.longest = max(map(len, items), default=0)


@dataclass(frozen=True)
class _Vocabulary:
    street_types: _Phrases[_TypeWord]
    settlement_types: _Phrases[str]
    colonia_markers: _Phrases[str]
    unnumbered: _Phrases[bool]
    ext_prefixes: _Phrases[bool]
    interior_kinds: _Phrases[str]
    floors: _Phrases[str]
    manzana: _Phrases[bool]
    lote: _Phrases[bool]
    km: _Phrases[bool]
    number_words: frozenset[str]
    # The words a house number may start with besides its digits: the first tokens
    # _NumberScanner takes ('#', 'NO', 'S/N', 'MZ', 'KM', 'INT', a floor, 'M3 L12' …).
    number_starts: frozenset[str]
    abbreviations: _Phrases[Phrase]
    titles: frozenset[str]
    cardinals: _Phrases[int]
    ordinals: _Phrases[int]
    months: _Phrases[str]
    ordinal_nouns: frozenset[str]
    spellings: dict[str, str] = field(default_factory=dict)
    # The frequent words (spellings.txt, heroes, numbers, months) of at least TYPO_MIN_LENGTH - 1
    # letters, and each of them with one letter dropped (None where two words give the same).
    frequent: frozenset[str] = frozenset()
    dropped_letter: dict[str, str | None] = field(default_factory=dict)
    heroes: _Phrases[Phrase] = field(default_factory=lambda: _Phrases({}))


def _read(name: str) -> list[list[str]]:
    rows = []
    for line in (VOCABULARY_DIR / name).read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            rows.append([part.strip() for part in line.split("|") if part.strip()])
    return rows


def _flag_table(rows: list[list[str]]) -> dict[Phrase, bool]:
    return {p: True for row in rows for v in row if (p := _number_phrase(v))}


def _load_street_types() -> dict[Phrase, _TypeWord]:
    mexican: dict[Phrase, _TypeWord] = {}
    for canonical, *variants in _read("mx/street_types.txt"):
        slug = canonical if canonical in STREET_TYPES else ""
        entry = _TypeWord(slug, normalize_text(canonical))
        for variant in (canonical, *variants):
            mexican[_words(variant)] = entry
    table: dict[Phrase, _TypeWord] = {}
    for canonical, *variants in _read("libpostal_es/street_types.txt"):
        entry = mexican.get(_words(canonical), _TypeWord("", normalize_text(canonical)))
        for variant in (canonical, *variants):
            phrase = _words(variant)
            if phrase and " ".join(phrase) not in _AMBIGUOUS_LIBPOSTAL:
                table[phrase] = entry
    table.update(mexican)
    return table


def _load_settlement_types() -> dict[Phrase, str]:
    table: dict[Phrase, str] = {}
    for slug, *variants in _read("mx/settlement_types.txt"):
        for variant in variants:
            table[_words(variant)] = slug
    for canonical, *variants in _read("libpostal_es/qualifiers.txt"):
        slug = table.get(_words(canonical), "")
        for variant in variants if slug else ():
            table.setdefault(_words(variant), slug)
    return table


def _load_number_vocabulary() -> dict[str, dict[Phrase, bool]]:
    unnumbered = _flag_table(_read("libpostal_es/no_number.txt") + _read("mx/no_number.txt"))
    ext_rows = _read("libpostal_es/house_numbers.txt") + _read("mx/house_numbers.txt")
    ext_rows += [row for row in _read("libpostal_es/unit_types_numbered.txt") if row[0] == "número"]
    blocks = _read("libpostal_es/blocks.txt") + _read("mx/blocks.txt")
    qualifiers = _read("libpostal_es/qualifiers.txt")
    ext = _flag_table(ext_rows)
    ext[("#",)] = True
    return {
        "unnumbered": unnumbered,
        "ext": ext,
        "manzana": _flag_table([row for row in blocks if row[0] == "manzana"]),
        "lote": _flag_table([row for row in blocks if row[0] == "lote"]),
        "km": _flag_table([row for row in qualifiers if row[0] == "kilómetro"]),
    }


def _load_interior_kinds() -> dict[Phrase, str]:
    table: dict[Phrase, str] = {}
    for canonical, *variants in _read("libpostal_es/unit_types_numbered.txt"):
        if canonical == "número":
            continue
        kind = "interior" if "interior" in canonical else normalize_text(canonical).lower()
        for variant in (canonical, *variants):
            phrase = _number_phrase(variant)
            if phrase and len("".join(phrase)) > 1:  # not libpostal's "p" (piso)
                table[phrase] = kind
    for kind, *variants in _read("mx/unit_types.txt"):
        for variant in variants:
            table[_number_phrase(variant)] = kind
    return table


def _load_abbreviations() -> tuple[dict[Phrase, Phrase], frozenset[str]]:
    table: dict[Phrase, Phrase] = {}
    for canonical, *variants in _read("libpostal_es/qualifiers.txt"):
        if normalize_text(canonical) in _QUALIFIER_WORDS:
            for variant in variants:
                table[_words(variant)] = _words(canonical)
    for canonical, *variants in _read("mx/abbreviations.txt"):
        for variant in variants:
            table[_words(variant)] = _words(canonical)
    titles = set()
    for canonical, *variants in _read("mx/titles.txt"):
        titles.add(normalize_text(canonical))
        for variant in variants:
            table[_words(variant)] = _words(canonical)
    return table, frozenset(titles)


def _numbered(name: str) -> dict[Phrase, int]:
    return {_words(v): int(value) for value, *variants in _read(name) for v in variants}


def _load_base() -> _Vocabulary:
    numbers = _load_number_vocabulary()
    abbreviations, titles = _load_abbreviations()
    street_types = _load_street_types()
    settlement_types = _load_settlement_types()
    # Prefixes that mark a colonia inside a street field; not "BO", "EJ", "UH", "B O".
    markers = {p: s for p, s in settlement_types.items() if len("".join(p)) > 2}
    markers[("ZONA", "CENTRO")] = "centro"
    months: dict[Phrase, str] = {}
    for canonical, *variants in _read("mx/months.txt"):
        for variant in (canonical, *variants):
            months[_words(variant)] = normalize_text(canonical)
    interior_kinds = _load_interior_kinds()
    tables: list[Mapping[Phrase, object]] = [*numbers.values(), interior_kinds]
    first_words = {phrase[0] for table in tables for phrase in table}
    floors = _Phrases(
        {
            _number_phrase(variant): normalize_text(value)
            for value, *variants in _read("mx/floors.txt")
            for variant in variants
        }
    )
    return _Vocabulary(
        street_types=_Phrases(street_types),
        settlement_types=_Phrases(settlement_types),
        colonia_markers=_Phrases(markers),
        unnumbered=_Phrases(numbers["unnumbered"]),
        ext_prefixes=_Phrases(numbers["ext"]),
        interior_kinds=_Phrases(interior_kinds),
        floors=floors,
        manzana=_Phrases(numbers["manzana"]),
        lote=_Phrases(numbers["lote"]),
        km=_Phrases(numbers["km"]),
        number_words=frozenset(first_words),
        number_starts=frozenset(first_words | floors.firsts | {"M", "#"}),
        abbreviations=_Phrases(abbreviations),
        titles=titles,
        cardinals=_Phrases(_numbered("mx/numbers.txt")),
        ordinals=_Phrases(_numbered("mx/ordinals.txt")),
        months=_Phrases(months),
        ordinal_nouns=_ORDINAL_NOUNS | {t.word for t in street_types.values()},
    )


def _frequent_words(v: _Vocabulary, *, heroes_whole: bool) -> set[str]:
    """The words of spellings.txt, numbers and months, and those of the heroes' names (all of
    them, or only the surnames streets are called by)."""
    words = {w for row in _read("mx/spellings.txt") for w in _words(row[0])}
    heroes = _read("mx/heroes.txt")
    words |= {
        w for row in heroes for part in (row if heroes_whole else row[:1]) for w in _words(part)
    }
    words |= {w for table in (v.cardinals, v.ordinals) for phrase in table for w in phrase}
    words |= set(v.months.values())
    return {word for word in words if len(word) >= 4 and word.isalpha()}


def _load_spellings(v: _Vocabulary) -> _Vocabulary:
    by_sound: dict[str, set[str]] = {}
    for word in _frequent_words(v, heroes_whole=True):
        by_sound.setdefault(_phonetic_word(word), set()).add(word)
    # A slip is read only towards the surnames streets are called by, not the heroes' other
    # names ('ALDANA' is not SALDAÑA, Vicente Guerrero's second surname).
    words = _frequent_words(v, heroes_whole=False)
    frequent = frozenset(w for w in words if len(w) >= TYPO_MIN_LENGTH - 1)
    dropped: dict[str, str | None] = {}
    for word in frequent:
        for k in range(len(word)):
            short = word[:k] + word[k + 1 :]
            if len(short) >= TYPO_MIN_LENGTH:
                dropped[short] = word if dropped.get(short, word) == word else None
    return replace(
        v,
        spellings={sound: next(iter(ws)) for sound, ws in by_sound.items() if len(ws) == 1},
        frequent=frequent,
        dropped_letter=dropped,
    )


def _load_heroes(v: _Vocabulary) -> _Phrases[Phrase]:
    pairs: dict[Phrase, Phrase] = {}
    for canonical, *variants in _read("mx/heroes.txt"):
        target = tuple(_reduce(_canonical_name(_words(canonical), v), v, heroes=False))
        for variant in variants:
            phrase = tuple(_reduce(_canonical_name(_words(variant), v), v, heroes=False))
            if len(phrase) > 1 and phrase != target:
                pairs[phrase] = target
    return _Phrases(pairs)


@cache
def _vocab() -> _Vocabulary:
    base = _load_base()
    base = _load_spellings(base)
    return replace(base, heroes=_load_heroes(base))


def _match(tokens: Sequence[str], i: int, table: _Phrases[T]) -> tuple[T, int] | None:
    """Longest phrase of ``table`` starting at ``tokens[i]``: (value, index after it)."""
    if i >= len(tokens) or tokens[i] not in table.firsts:
        return None
    for n in range(min(table.longest, len(tokens) - i), 0, -1):
        hit = table.get(tuple(tokens[i : i + n]))
        if hit is not None:
            return hit, i + n
    return None


def _match_loose(tokens: Sequence[str], i: int, table: _Phrases[T]) -> tuple[T, int] | None:
    """``_match`` over house-number tokens, where "/" and "-" may sit between the words of a
    phrase ("S/N", "S-N", "NO.-INT")."""
    if i >= len(tokens) or tokens[i] not in table.firsts:
        return None
    positions: list[int] = []
    j = i
    while j < len(tokens) and len(positions) < table.longest:
        if positions and tokens[j] in {"/", "-"}:
            j += 1
            continue
        positions.append(j)
        j += 1
    for n in range(len(positions), 0, -1):
        hit = table.get(tuple(tokens[k] for k in positions[:n]))
        if hit is not None:
            return hit, positions[n - 1] + 1
    return None


# --------------------------------------------------------------------------------------------
# Names: canonical form and comparison key


def _ordinal_at(tokens: Sequence[str], i: int, v: _Vocabulary) -> tuple[int, int] | None:
    if i >= len(tokens):
        return None
    if m := _DIGIT_ORDINAL.match(tokens[i]):
        return int(m.group(1)), i + 1
    return _match(tokens, i, v.ordinals)


def _cardinal_at(tokens: Sequence[str], i: int, v: _Vocabulary) -> tuple[int, int] | None:
    if i >= len(tokens):
        return None
    if tokens[i].isdigit():
        return int(tokens[i]), i + 1
    return _match(tokens, i, v.cardinals)


def _expand_abbreviations(tokens: Sequence[str], v: _Vocabulary) -> list[str]:
    out: list[str] = []
    i = 0
    while i < len(tokens):
        hit = _match(tokens, i, v.abbreviations)
        if hit and not (tuple(tokens[i : hit[1]]) in _PREFIX_ONLY and hit[1] >= len(tokens)):
            out.extend(hit[0])
            i = hit[1]
            continue
        token = tokens[i]
        out.append(str(int(token)) if token.isdigit() else token)
        i += 1
    return out


def _date_at(tokens: Sequence[str], i: int, v: _Vocabulary) -> tuple[list[str], int] | None:
    """ "CINCO DE MAYO", "1O. DE MAYO", "16 SEPT" at ``i`` -> (["5", "DE", "MAYO"], next)."""
    number = _cardinal_at(tokens, i, v) or _ordinal_at(tokens, i, v)
    if number is None:
        return None
    value, j = number
    with_de = j < len(tokens) and tokens[j] == "DE"
    j += with_de
    month = _match(tokens, j, v.months)
    if month is None or not 1 <= value <= 31:
        return None
    if not with_de and tokens[j] != month[0]:  # "5 MAYO" yes, "5 MAR" no
        return None
    return [str(value), "DE", month[0]], month[1]


def _canonical_numbers(tokens: Sequence[str], v: _Vocabulary) -> list[str]:
    out: list[str] = []
    i = 0
    while i < len(tokens):
        if date := _date_at(tokens, i, v):
            out.extend(date[0])
            i = date[1]
            continue
        ordinal = _ordinal_at(tokens, i, v)
        if ordinal and ordinal[1] < len(tokens) and tokens[ordinal[1]] in v.ordinal_nouns:
            out.append(str(ordinal[0]))
            i = ordinal[1]
            continue
        out.append(tokens[i])
        i += 1
    whole = _cardinal_at(out, 0, v)
    if whole and whole[1] == len(out):
        return [str(whole[0])]
    for k, token in enumerate(out):
        trailing = k == len(out) - 1 and k > 0
        if _ROMAN.match(token) and (trailing or (k > 0 and out[k - 1] in _NUMBER_FIRST)):
            out[k] = str(_roman_value(token))
    for k in range(len(out) - 1):
        if out[k] in _NUMBER_FIRST and out[k + 1].isdigit():
            out[k], out[k + 1] = out[k + 1], out[k]
    return out


def _roman_value(numeral: str) -> int:
    values = {"I": 1, "V": 5, "X": 10}
    total = 0
    for k, char in enumerate(numeral):
        value = values[char]
        following = values[numeral[k + 1]] if k + 1 < len(numeral) else 0
        total += -value if value < following else value
    return total


def _canonical_name(tokens: Sequence[str], v: _Vocabulary) -> list[str]:
    return _canonical_numbers(_expand_abbreviations(tokens, v), v)


def _snap(token: str, v: _Vocabulary) -> str:
    if len(token) < 4 or not token.isalpha():
        return token
    snapped = v.spellings.get(_phonetic_word(token), token)
    return _retyped(token, v) if snapped == token else snapped


def _retyped(token: str, v: _Vocabulary) -> str:
    """The frequent word a token of at least ``TYPO_MIN_LENGTH`` letters is one slip of the
    keyboard away from, when exactly one is: two letters swapped ('MAEDRO' for MADERO), one
    dropped ('ALLNDE' for ALLENDE) or one doubled or added ('GUERRRERO'). Never one letter for
    another ('ALDANA' is a surname of its own, not ALDAMA), nor a feminine name for the
    masculine ('AGUSTINA' is not AGUSTIN); the token as it is otherwise."""
    if len(token) < TYPO_MIN_LENGTH or token in v.frequent:
        return token
    found = {token[:k] + token[k + 1 :] for k in range(len(token))} & v.frequent
    found |= {
        swapped
        for k in range(len(token) - 1)
        if (swapped := token[:k] + token[k + 1] + token[k] + token[k + 2 :]) in v.frequent
    }
    if token in v.dropped_letter:
        found.add(v.dropped_letter[token] or "")
    found = {word for word in found if word and token not in (word + "A", word[:-1] + "A")}
    return found.pop() if len(found) == 1 else token


def _drop_titles(tokens: Sequence[str], v: _Vocabulary) -> list[str]:
    """Titles go when a name follows them: "GENERAL LAZARO CARDENAS", not "HOSPITAL GENERAL"."""
    return [
        t
        for k, t in enumerate(tokens)
        if t not in v.titles or all(u in v.titles for u in tokens[k + 1 :])
    ]


def _apply_heroes(tokens: Sequence[str], v: _Vocabulary) -> list[str]:
    out: list[str] = []
    i = 0
    while i < len(tokens):
        if hit := _match(tokens, i, v.heroes):
            out.extend(hit[0])
            i = hit[1]
        else:
            out.append(tokens[i])
            i += 1
    return out


def _reduce(name: Sequence[str], v: _Vocabulary, *, heroes: bool = True) -> list[str]:
    """The comparison key of a canonical name (see the module docstring)."""
    snapped = _canonical_numbers([_snap(t, v) for t in name], v)
    tokens = _drop_titles([t for t in snapped if t not in _STOPWORDS], v)
    if heroes:
        tokens = _apply_heroes(tokens, v)
    return tokens or snapped


# --------------------------------------------------------------------------------------------
# Streets


@dataclass(frozen=True, slots=True)
class StreetName:
    """A street name split into its type and its normalised name."""

    raw: str
    street_type: str = ""  # one of STREET_TYPES, or "" when the text names none
    name: str = ""  # canonical name without type: "MIGUEL HIDALGO", "5 DE MAYO"
    key: str = ""  # comparison key: "HIDALGO", "5 MAYO", "1 ALLENDE"
    ordinal: int | None = None  # 1 for "1A. PRIVADA DE ALLENDE"
    phonetic: str = ""  # phonetic_key(key)

    @property
    def type_class(self) -> str:
        """The street type when it names a different street (privada…), else ""."""
        return self.street_type if self.street_type in DISTINCT_STREET_TYPES else ""

    @property
    def match_key(self) -> str:
        """Key qualified by the distinct type: "PRIVADA 1 ALLENDE", "HIDALGO"."""
        return f"{self.type_class.upper()} {self.key}".strip()


def _unglue(tokens: Sequence[str], v: _Vocabulary) -> list[str]:
    """ "BLVDLAS FUENTES" -> "BLVD LAS FUENTES" (see _GLUED_PREFIXES); else unchanged."""
    if not tokens or _match(tokens, 0, v.street_types) or _ordinal_at(tokens, 0, v):
        return list(tokens)
    head = tokens[0]
    for prefix, keep in _GLUED_PREFIXES:
        rest = head[len(prefix) :]
        if head.startswith(prefix) and len(rest) >= keep and rest.isalpha():
            if prefix == "PROL" and rest.startswith("E"):
                break
            return [prefix, rest, *tokens[1:]]
    return list(tokens)


def _take_type(tokens: Sequence[str], v: _Vocabulary) -> tuple[int | None, str, list[str]]:
    """Leading ordinal and type: ("1A", "PRIV", "DE", "ALLENDE") -> (1, privada, [ALLENDE])."""
    tokens = _unglue(tokens, v)
    n, i = len(tokens), 0
    ordinal: int | None = None
    first = _ordinal_at(tokens, 0, v)
    if first is not None and _match(tokens, first[1], v.street_types) is not None:
        ordinal, i = first
    slugs: list[str] = []
    while (hit := _match(tokens, i, v.street_types)) and hit[0].slug:
        slugs.append(hit[0].slug)
        i = hit[1]
    if slugs and ordinal is None:
        after = _ordinal_at(tokens, i, v)
        if after and after[1] < n and (_DIGIT_ORDINAL.match(tokens[i]) or tokens[after[1]] == "DE"):
            ordinal, i = after
    if slugs and i < n - 1 and tokens[i] == "DE":
        i += 1
    rest = list(tokens[i:])
    if not rest:
        return None, "", list(tokens)
    generic = _match(rest, 0, v.street_types)
    if generic and not generic[0].slug:
        rest = [*generic[0].word.split(), *rest[generic[1] :]]
    slug = next((s for s in slugs if s in DISTINCT_STREET_TYPES), slugs[0] if slugs else "")
    return ordinal, slug, rest


def _street_name(text: str, raw: str) -> StreetName:
    """The street that ``text`` (the street part of the field ``raw``) names."""
    name = _street_name_of(text)
    return StreetName(raw, name.street_type, name.name, name.key, name.ordinal, name.phonetic)


@lru_cache(maxsize=1 << 16)
def _street_name_of(text: str) -> StreetName:
    """Billing files repeat their streets: parses are cached by the street part alone (the
    result is immutable), so that a whole address in one field ('HIDALGO 12, COL CENTRO') finds
    its street's parse."""
    v = _vocab()
    ordinal, slug, rest = _take_type(_words(text), v)
    name = _canonical_name(rest, v)
    key = " ".join([str(ordinal)] * (ordinal is not None) + _reduce(name, v))
    return StreetName(text, slug, " ".join(name), key, ordinal, phonetic_key(key))


def parse_street(raw: str | None) -> StreetName:
    """Parse a street name: type slug, canonical name, comparison key.

    Text after an explicit house-number marker ("#12", "NO. 5", "S/N", "INT 2"), a settlement
    prefix ("COL. …") or a cross-street marker ("ESQ. …") is ignored; a bare trailing number is
    kept, since streets are named by numbers ("CALLE 10", "PONIENTE 5"): see ``parse_address``.
    """
    v = _vocab()
    text, _ = _extract_postal_code(_fold(raw))
    return _street_name(_split_address_text(text, v, allow_bare=False).street, raw or "")


def street_similarity(a: StreetName | str, b: StreetName | str) -> float:
    """Similarity of two streets in [0, 1]: 0 when their distinct types or ordinals differ
    ("PRIVADA HIDALGO" vs "HIDALGO", "1A PRIVADA" vs "2A PRIVADA"), else the best of the
    trigram similarities of their keys and of their phonetic keys."""
    sa = parse_street(a) if isinstance(a, str) else a
    sb = parse_street(b) if isinstance(b, str) else b
    if sa.type_class != sb.type_class or sa.ordinal != sb.ordinal:
        return 0.0
    if sa.key and sa.key == sb.key:
        return 1.0
    return max(similarity(sa.key, sb.key), similarity(sa.phonetic, sb.phonetic))


# --------------------------------------------------------------------------------------------
# Settlements (colonias)


@dataclass(frozen=True, slots=True)
class ColoniaName:
    """A settlement name split into its type and its normalised name."""

    raw: str
    settlement_type: str = ""  # one of SETTLEMENT_TYPES, or "" when the text names none
    name: str = ""  # canonical name without prefix: "LAS FUENTES", "CENTRO"
    key: str = ""  # comparison key: "FUENTES"
    phonetic: str = ""


@lru_cache(maxsize=1 << 16)
def parse_colonia(raw: str | None) -> ColoniaName:
    """Parse a settlement: "FRACC. LAS FUENTES" -> (fraccionamiento, "LAS FUENTES").

    "CENTRO", "ZONA CENTRO" and "COL. CENTRO" all give (centro, "CENTRO"). Without a prefix the
    type is "" except for INFONAVIT/FOVISSSTE developments (unidad_habitacional).
    """
    v = _vocab()
    text, _ = _extract_postal_code(_fold(raw))
    tokens = _words(text)
    slugs: list[str] = []
    i = 0
    while (hit := _match(tokens, i, v.settlement_types)) and hit[1] < len(tokens):
        slugs.append(hit[0])
        i = hit[1]
    if slugs and i < len(tokens) - 1 and tokens[i] == "DE":
        i += 1
    name = _canonical_name(tokens[i:], v)
    slug = next((s for s in reversed(slugs) if s != "colonia"), slugs[0] if slugs else "")
    if name in (["CENTRO"], ["ZONA", "CENTRO"]):
        slug, name = "centro", ["CENTRO"]
    elif not slugs and _HOUSING_AGENCIES & set(name):
        slug = "unidad_habitacional"
    key = " ".join(_reduce(name, v))
    return ColoniaName(raw or "", slug, " ".join(name), key, phonetic_key(key))


# --------------------------------------------------------------------------------------------
# House numbers


@dataclass(frozen=True, slots=True)
class HouseNumber:
    """Exterior number, interior unit and the other ways Mexican addresses are numbered."""

    raw: str
    number: int | None = None  # exterior number; None when absent
    suffix: str = ""  # letter or BIS after the number: "123-A" -> "A"
    interior: str = ""  # interior unit without its kind: "INT 2" -> "2", "DEPTO 3-B" -> "3B"
    interior_kind: str = ""  # interior, departamento, local, oficina, casa, bodega…
    manzana: str = ""  # block ("MZ 3") where numbering is by manzana and lote
    lote: str = ""
    km: float | None = None  # kilometre on a road: "KM 2.5", "KM 2+500"
    is_unnumbered: bool = False  # "S/N", "SIN NUMERO", "CONOCIDO", "0" or nothing at all
    unparsed: str = ""  # text that was not understood

    @property
    def exterior(self) -> str:
        """Canonical exterior part: "123", "123-A", "KM 2.5", "MZ 3 LT 12", "S/N"."""
        if self.number is not None:
            return f"{self.number}-{self.suffix}" if self.suffix else str(self.number)
        parts = [f"KM {self.km:g}"] if self.km is not None else []
        parts += [f"MZ {self.manzana}"] * bool(self.manzana) + [f"LT {self.lote}"] * bool(self.lote)
        return " ".join(parts) or ("S/N" if self.is_unnumbered else "")


@dataclass
class _Scan:
    number: int | None = None
    suffix: str = ""
    interior: str = ""
    interior_kind: str = ""
    manzana: str = ""
    lote: str = ""
    km: float | None = None
    unnumbered: bool = False
    explicit: bool = False  # the text opens with a marker (#, NO., S/N, KM, MZ, INT…)
    unparsed: list[str] = field(default_factory=list)
    stop: int = 0  # character offset of the first token not understood (strict scans)
    complete: bool = False

    def found(self) -> bool:
        located = self.number is not None or self.km is not None
        return located or bool(self.manzana or self.lote or self.interior or self.unnumbered)


@dataclass(frozen=True, slots=True)
class _Lexeme:
    text: str
    start: int


def _lex(text: str, pattern: re.Pattern[str]) -> list[_Lexeme]:
    return [_Lexeme(m.group(), m.start()) for m in pattern.finditer(text)]


class _NumberScanner:
    """Reads the house-number grammar token by token; each rule returns the next index."""

    def __init__(self, text: str, v: _Vocabulary) -> None:
        self.lexemes = _lex(text, _NUMBER_LEXEME)
        self.tokens = [lx.text for lx in self.lexemes]
        self.v = v
        self.scan = _Scan()

    def run(self, strict: bool) -> _Scan:
        i, n, first = 0, len(self.tokens), True
        while i < n:
            if self.tokens[i] in _SEPARATORS and not (self.tokens[i] == "/" and not first):
                i += 1
                continue
            step = self._step(i)
            if step is None:
                if strict:
                    break
                self.scan.unparsed.append(self.tokens[i])
                i += 1
                continue
            if first:
                self.scan.explicit = not self.tokens[i].isdigit()
                first = False
            i = step
        self.scan.stop = self.lexemes[i].start if i < n else -1
        self.scan.complete = i == n and self.scan.found()
        if self.scan.number == 0:
            self.scan.number, self.scan.suffix, self.scan.unnumbered = None, "", True
        return self.scan

    def _step(self, i: int) -> int | None:
        v, t = self.v, self.tokens
        if flag := _match_loose(t, i, v.unnumbered):
            self.scan.unnumbered = True
            return flag[1]
        if flag := _match_loose(t, i, v.km):
            return self._km(flag[1])
        for table, attr in ((v.manzana, "manzana"), (v.lote, "lote")):
            if (flag := _match_loose(t, i, table)) and (value := self._value(flag[1])):
                setattr(self.scan, attr, value[0])
                return value[1]
        if compact := self._compact_block(i):
            return compact
        floor = _match_loose(t, i, v.floors)
        if floor and self.scan.number is not None and not self.scan.interior:
            self.scan.interior, self.scan.interior_kind = floor[0], "interior"
            return floor[1]
        kind = _match_loose(t, i, v.interior_kinds)
        if kind and kind[0] == "interior" and (unit := _match_loose(t, kind[1], v.interior_kinds)):
            kind = unit  # "INT DEPTO A": the unit's own kind
        if kind and (value := self._value(kind[1])):
            self.scan.interior, self.scan.interior_kind = value[0], kind[0]
            return value[1]
        if t[i] == "/" and (value := self._value(i + 1)):
            self.scan.interior, self.scan.interior_kind = value[0], "interior"
            return value[1]
        if flag := _match_loose(t, i, v.ext_prefixes):
            j = flag[1] + (flag[1] < len(t) and t[flag[1]] in {"#", ":"})
            return self._exterior(j) if j < len(t) and t[j].isdigit() else None
        return self._exterior(i) if t[i].isdigit() else None

    def _exterior(self, i: int) -> int | None:
        t = self.tokens
        if self.scan.number is not None:
            return None
        self.scan.number = int(t[i])
        i += 1
        j = i + (i < len(t) and t[i] == "-")
        if j < len(t) and t[j] == "BIS":
            self.scan.suffix = "BIS"
            return j + 1
        letter = j < len(t) and len(t[j]) == 1 and t[j].isalpha() and t[j] != "Y"
        if letter and not _match_loose(t, j, self.v.unnumbered) and not self._compact_block(j):
            self.scan.suffix = t[j]
            return j + 1
        if j > i and j < len(t) and t[j].isdigit() and not self.scan.interior:
            self.scan.interior, self.scan.interior_kind = str(int(t[j])), "interior"
            return j + 1
        return i

    def _km(self, i: int) -> int | None:
        t = self.tokens
        if i >= len(t) or not t[i][0].isdigit():
            return None
        km = float(t[i])
        if i + 2 < len(t) and t[i + 1] in {"+", ","} and t[i + 2].isdigit() and "." not in t[i]:
            fraction = t[i + 2]
            km += int(fraction) / 1000 if t[i + 1] == "+" else float(f"0.{fraction}")
            i += 2
        self.scan.km = km
        return i + 1

    def _compact_block(self, i: int) -> int | None:
        """ "M3 L12", "M-3 L-12": manzana and lote written with single letters."""
        t = self.tokens[i : i + 6]
        shape = [x for x in t if x != "-"]
        if len(shape) < 4 or shape[0] != "M" or shape[2] != "L":
            return None
        if not (shape[1].isdigit() and shape[3].isdigit()):
            return None
        self.scan.manzana, self.scan.lote = shape[1], shape[3]
        used = 0
        for k, x in enumerate(t):
            used += x != "-"
            if used == 4:
                return i + k + 1
        return None

    def _value(self, i: int) -> tuple[str, int] | None:
        """A unit identifier after its kind: "4", "B", "3-B", "A2"; leading "#", "NO" skipped."""
        t = self.tokens
        while i < len(t) and t[i] in {"#", "-", ":", "NO", "NUM"}:
            i += 1
        if i >= len(t):
            return None
        head = t[i]
        if head.isdigit():
            tail_ok = str.isalpha
        elif head.isalpha() and len(head) <= 3:
            tail_ok = str.isdigit
        else:
            return None
        value, i = str(int(head)) if head.isdigit() else head, i + 1
        j = i + (i < len(t) and t[i] == "-")
        if j < len(t) and tail_ok(t[j]) and len(t[j]) <= 3 and t[j] not in self.v.number_words:
            return value + t[j], j + 1
        return value, i


def _scan_number(text: str, v: _Vocabulary, *, strict: bool) -> _Scan:
    return _NumberScanner(text, v).run(strict)


def _house_number(raw: str, scan: _Scan) -> HouseNumber:
    located = scan.number is not None or scan.km is not None or scan.manzana or scan.lote
    return HouseNumber(
        raw=raw,
        number=scan.number,
        suffix=scan.suffix,
        interior=scan.interior,
        interior_kind=scan.interior_kind,
        manzana=scan.manzana,
        lote=scan.lote,
        km=scan.km,
        is_unnumbered=not located and (scan.unnumbered or not scan.unparsed),
        unparsed=" ".join(scan.unparsed),
    )


# A whole number as a spreadsheet or a Real column writes it: "123.0".
_DECIMAL_WHOLE = re.compile(r"\s*(\d+)\.0+\s*")


def parse_number(raw: str | None) -> HouseNumber:
    """Parse an exterior-number field: "123-A", "#123", "NO. 123 INT 4", "S/N", "MZ 3 LT 12",
    "KM 2.5". "123 A" and "123-A" are suffixes, "123/A" and "123-4" interiors; "0" and empty
    mean no number; "123.0" is 123."""
    if raw and (whole := _DECIMAL_WHOLE.fullmatch(raw)):
        raw = whole[1]
    return _house_number(raw or "", _scan_number(_fold(raw), _vocab(), strict=False))


def parse_interior(raw: str | None) -> tuple[str, str]:
    """Parse an interior-number field: "INT 2" -> ("2", "interior"), "DEPTO 3-B" ->
    ("3B", "departamento"), "A" -> ("A", ""); "0", "S/N", "-" and empty -> ("", "")."""
    v = _vocab()
    text = _fold(raw)
    scan = _scan_number(text, v, strict=False)
    if scan.interior:
        return scan.interior, scan.interior_kind
    if scan.unnumbered and scan.number is None and not scan.unparsed:
        return "", ""
    value = "".join(_WORD.findall(text))
    if not value.strip("0") or normalize_text(text) in _NOTHING:
        return "", ""
    return value, ""


# --------------------------------------------------------------------------------------------
# Whole addresses


@dataclass(frozen=True, slots=True)
class Address:
    """A billing address, normalised."""

    street: StreetName
    number: HouseNumber
    colonia: ColoniaName
    postal_code: str = ""
    reference: str = ""  # cross streets and the like: "ESQ JUAREZ", "ENTRE ALLENDE Y ALDAMA"


@dataclass(frozen=True, slots=True)
class _Parts:
    street: str
    number: str = ""
    colonia: str = ""
    reference: str = ""

    def __post_init__(self) -> None:
        for attr in ("street", "number", "colonia", "reference"):
            object.__setattr__(self, attr, getattr(self, attr).strip(" ,;"))


def _extract_postal_code(text: str) -> tuple[str, str]:
    match = _POSTAL_CODE.search(text)
    if match is None:
        return text, ""
    return f"{text[: match.start()]} {text[match.end() :]}".strip(), match.group(1)


def _has_core(text: str, v: _Vocabulary) -> bool:
    """Does ``text`` name something beyond types, ordinals, connectors and directions?

    "CALLE" / "PONIENTE" / "1A PRIVADA DE" do not (so "CALLE 10" is a name, not a number); a
    type right after another is the street's name, as the street parser reads it ("AV.
    PERIFERICO")."""
    tokens = _words(text)
    i, after_type = 0, False
    while i < len(tokens):
        street_type = _match(tokens, i, v.street_types)
        if street_type is not None and after_type:
            return True
        skip = street_type or _ordinal_at(tokens, i, v)
        after_type = street_type is not None
        if skip is not None:
            i = skip[1]
            continue
        token = tokens[i]
        expanded = v.abbreviations.get((token,), (token,))
        if token not in _STOPWORDS and expanded[0] not in _DIRECTIONS:
            return True
        i += 1
    return False


def _cut_colonia(text: str, v: _Vocabulary) -> tuple[str, str]:
    """Cut the street field where a colonia starts: at a settlement type ("COL.", "FRACC"); at
    one of the short ones ("EJ", "BO", "UH"), which may be initials, only after a comma or with
    its period ("HIDALGO 5, EJ. EL SABINO")."""
    words = _lex(text, _WORD)
    tokens = [w.text for w in words]
    for k in range(1, len(words)):
        start, end = words[k].start, words[k].start + len(words[k].text)
        marked = _match(tokens, k, v.colonia_markers) is not None or (
            _match(tokens, k, v.settlement_types) is not None
            and (text[:start].rstrip().endswith(",") or text[end : end + 1] == ".")
        )
        if marked and _has_core(text[:start], v):
            return text[:start], text[start:]
    return text, ""


def _cut_reference(text: str, v: _Vocabulary) -> tuple[str, str]:
    words = _lex(text, _WORD)
    for k in range(1, len(words)):
        word, end = words[k].text, words[k].start + len(words[k].text)
        following = words[k + 1].text if k + 1 < len(words) else ""
        marker = word in _CROSS_STREET_MARKERS or (word, text[end : end + 1]) == ("E", "/")
        if (word, following in _CROSS_STREET_MARKERS) == ("CASI", True):
            marker = True
        if marker and _has_core(text[: words[k].start], v):
            return text[: words[k].start], text[words[k].start :]
    return text, ""


def _may_start_colonia(rest: str, v: _Vocabulary) -> bool:
    words = _words(rest)
    if not words or not words[0].isalpha():
        return False
    first = words[0]
    return first not in _CONNECTORS | v.number_words and _match(words, 0, v.months) is None


def _split_address_text(text: str, v: _Vocabulary, *, allow_bare: bool) -> _Parts:
    """Split a street field into street, number, colonia and cross-street text.

    A bare number ("HIDALGO 45") is taken as the house number only if ``allow_bare``; one with a
    marker ("#45", "NO. 45", "S/N", "KM 2", "MZ 3") always is. Either needs a name before it."""
    street, colonia = _cut_colonia(text, v)
    street, reference = _cut_reference(street, v)
    for idx, lexeme in enumerate(_lex(street, _CANDIDATE)):
        first = _NUMBER_START.match(lexeme.text)
        if first is None or not (first[0][0].isdigit() or first[0] in v.number_starts):
            continue  # no house number starts here: the scan below would find none
        head, tail = street[: lexeme.start], street[lexeme.start :]
        scan = _scan_number(tail, v, strict=True)
        if not scan.found() or not (scan.explicit or allow_bare):
            continue
        if scan.km is not None and not scan.explicit:
            continue  # "CARRETERA FEDERAL 45 KM 3": the 45 names the road
        if idx == 0:
            if scan.complete and scan.explicit:
                return _Parts("", tail, colonia, reference)
            continue
        # A number with its marker ("#218", "NO. 218") is the house number after a type alone
        # too ("PERIFERICO #218"); a bare one there is the street's name ("CALLE 10").
        if not (_has_core(head, v) or (scan.explicit and _words(head))):
            continue
        rest = tail[scan.stop :]
        if scan.complete or _NUMBER_PAIR.match(rest):  # "HIDALGO 45 Y 47"
            return _Parts(head, tail, colonia, reference)
        if not colonia and _may_start_colonia(rest, v):
            return _Parts(head, tail[: scan.stop], rest, reference)
    if not colonia and "," in street:
        head, _, tail = street.partition(",")
        if _has_core(head, v) and normalize_text(tail):
            return _Parts(head, "", tail, reference)
    return _Parts(street, "", colonia, reference)


def _merge_numbers(primary: _Scan, secondary: _Scan) -> _Scan:
    merged = replace(primary, unparsed=list(primary.unparsed))
    for attr in ("interior", "interior_kind", "manzana", "lote"):
        if not getattr(merged, attr):
            setattr(merged, attr, getattr(secondary, attr))
    if merged.number is None and merged.km is None and not merged.unnumbered:
        merged.unnumbered = secondary.unnumbered
    return merged


def colonia_field(colonia: str | None) -> tuple[ColoniaName | None, str]:
    """The colonia field of an address: its colonia (None when the field names none, so that
    one written in the street field counts) and the postal code written in it."""
    colonia_text, colonia_code = _extract_postal_code(_fold(colonia))
    if not normalize_text(colonia_text):
        return None, colonia_code
    return parse_colonia(colonia_text), colonia_code


def parse_address(
    street: str | None,
    ext_number: str | None = "",
    int_number: str | None = "",
    colonia: str | None = "",
) -> Address:
    """Parse a billing address given as its usual fields.

    The street field may carry the whole address ("AV. REFORMA #123 INT 2 COL. CENTRO",
    "CALLE HIDALGO 45-B", "HIDALGO S/N", "DOMICILIO CONOCIDO"); explicit fields win over what is
    found in it. A bare trailing number in the street is read as the house number only when the
    number field gives none (or repeats it), so "PONIENTE 5" with number 12 stays street
    "PONIENTE 5".
    """
    v = _vocab()
    text, postal_code = _extract_postal_code(_fold(street))
    ext = _scan_number(_fold(ext_number), v, strict=False)
    located = ext.number is not None or ext.km is not None or bool(ext.manzana or ext.lote)
    parts = _split_address_text(text, v, allow_bare=not located)
    if located and not parts.number and ext.number is not None:
        alternative = _split_address_text(text, v, allow_bare=True)
        if _scan_number(alternative.number, v, strict=False).number == ext.number:
            parts = alternative  # the street repeats the number: "HIDALGO 45" + "45"
    from_street = _scan_number(parts.number, v, strict=False)
    if located and from_street.number is not None and from_street.number != ext.number:
        # "CALLE NO. 3" with number 26: a street type alone, then a number marker, is a
        # numbered street ("CALLE 3"), the house number in its own field.
        numbered = f"{parts.street} {from_street.number}"
        if not _street_name_of(parts.street).street_type and _street_name_of(numbered).street_type:
            parts = replace(parts, street=numbered, number="")
            from_street = _scan_number("", v, strict=False)
    if located or not from_street.found():
        scan, raw_number = _merge_numbers(ext, from_street), ext_number or ""
    else:
        scan, raw_number = _merge_numbers(from_street, ext), parts.number
    interior, kind = parse_interior(int_number)
    if interior:
        scan.interior, scan.interior_kind = interior, kind
    colonia_name, colonia_code = colonia_field(colonia)
    return Address(
        street=_street_name(parts.street, street or ""),
        number=_house_number(raw_number, scan),
        colonia=parse_colonia(parts.colonia) if colonia_name is None else colonia_name,
        postal_code=postal_code or colonia_code,
        reference=normalize_text(parts.reference),
    )
