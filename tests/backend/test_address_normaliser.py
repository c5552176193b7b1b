"""Mexican address normalisation (gis_backend.linking.address): pure Python, no database.

Cases are written the way billing files and street layers hold them: abbreviations with and
without dots, missing accents, Latin-1 damage, "S/N", "Conocido", whole addresses in the street
field, typos.
"""

import pytest

from gis_backend.linking.address import (
    STREET_TYPES,
    parse_address,
    parse_colonia,
    parse_interior,
    parse_number,
    parse_street,
    phonetic_key,
    similarity,
    street_similarity,
)
from gis_backend.linking.address import normalize_text as norm

# --------------------------------------------------------------------------------------------
# normalize_text


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Calle Miguel Hidalgo", "CALLE MIGUEL HIDALGO"),
        ("  av.   Juárez,  #12 ", "AV JUAREZ 12"),
        ("PEÑA", "PENA"),  # Ñ folds to N, as unaccent() does
        ("Peña", "PENA"),
        ("PEÃ‘A", "PENA"),  # UTF-8 read as Latin-1
        ("Ángel Ñúñez-Ortíz", "ANGEL NUNEZ ORTIZ"),
        ("1°. Privada", "1O PRIVADA"),
        ("Güemes", "GUEMES"),
        ("S/N", "S N"),
        (None, ""),
        ("", ""),
    ],
)
def test_normalize_text(raw, expected):
    assert norm(raw) == expected


def test_normalize_text_is_idempotent():
    for raw in ("C. 5 de Mayo #12-A", "PEÃ‘A", "Fracc. Las Fuentes 2a. Secc."):
        assert norm(norm(raw)) == norm(raw)


# --------------------------------------------------------------------------------------------
# parse_street: type, name, key


@pytest.mark.parametrize(
    ("raw", "street_type", "name", "key"),
    [
        # street types and their abbreviations
        ("C. MIGUEL HIDALGO", "calle", "MIGUEL HIDALGO", "HIDALGO"),
        ("Calle Hidalgo", "calle", "HIDALGO", "HIDALGO"),
        ("Cll. Morelos", "calle", "MORELOS", "MORELOS"),
        ("Av. Juárez", "avenida", "JUAREZ", "JUAREZ"),
        ("AVDA. REFORMA", "avenida", "REFORMA", "REFORMA"),
        ("Ave. Solidaridad", "avenida", "SOLIDARIDAD", "SOLIDARIDAD"),
        ("Blvd. Las Fuentes", "boulevard", "LAS FUENTES", "FUENTES"),
        ("BULEVAR LAS FUENTES", "boulevard", "LAS FUENTES", "FUENTES"),
        ("Boulevard del Sol", "boulevard", "DEL SOL", "SOL"),
        ("Calz. de Guadalupe", "calzada", "GUADALUPE", "GUADALUPE"),
        ("Priv. Allende", "privada", "ALLENDE", "ALLENDE"),
        ("Pva. Allende", "privada", "ALLENDE", "ALLENDE"),
        ("CALLE PRIVADA LOS PINOS", "privada", "LOS PINOS", "PINOS"),
        ("Prol. Juárez", "prolongacion", "JUAREZ", "JUAREZ"),
        ("Prolongación Morelos", "prolongacion", "MORELOS", "MORELOS"),
        ("Cjon. del Beso", "callejon", "DEL BESO", "BESO"),
        ("Callejón Zaragoza", "callejon", "ZARAGOZA", "ZARAGOZA"),
        ("Cda. de Morelos", "cerrada", "MORELOS", "MORELOS"),
        ("Cerr. Jazmín", "cerrada", "JAZMIN", "JAZMIN"),
        ("Cto. Las Rosas", "circuito", "LAS ROSAS", "ROSAS"),
        ("And. Nardo", "andador", "NARDO", "NARDO"),
        ("Andad. Clavel", "andador", "CLAVEL", "CLAVEL"),
        ("Carr. Cortazar-Salamanca", "carretera", "CORTAZAR SALAMANCA", "CORTAZAR SALAMANCA"),
        # glued to the name without space or dot
        ("AV.SOLIDARIDAD", "avenida", "SOLIDARIDAD", "SOLIDARIDAD"),
        ("BLVDLAS FUENTES", "boulevard", "LAS FUENTES", "FUENTES"),
        ("CALLEJONHIDALGO", "callejon", "HIDALGO", "HIDALGO"),
        # types that are not stored stay in the name, spelled out
        ("Ret. 5", "", "RETORNO 5", "RETORNO 5"),
        ("Pso. de la Reforma", "", "PASEO DE LA REFORMA", "PASEO REFORMA"),
        ("Periférico", "", "PERIFERICO", "PERIFERICO"),
        # heroes called by surname, titles
        ("MIGUEL HIDALGO Y COSTILLA", "", "MIGUEL HIDALGO Y COSTILLA", "HIDALGO"),
        ("Lic. Benito Juárez", "", "LICENCIADO BENITO JUAREZ", "JUAREZ"),
        ("GRAL. LAZARO CARDENAS", "", "GENERAL LAZARO CARDENAS", "CARDENAS"),
        ("José Ma. Morelos y Pavón", "", "JOSE MARIA MORELOS Y PAVON", "MORELOS"),
        ("Fco. I. Madero", "", "FRANCISCO I MADERO", "MADERO"),
        ("Josefa Ortiz de Domínguez", "", "JOSEFA ORTIZ DE DOMINGUEZ", "ORTIZ DOMINGUEZ"),
        ("Sor Juana Inés de la Cruz", "", "SOR JUANA INES DE LA CRUZ", "SOR JUANA"),
        ("Benito Juárez Norte", "", "BENITO JUAREZ NORTE", "JUAREZ NORTE"),
        ("Dr. Mora", "", "DOCTOR MORA", "MORA"),
        # one slip of the keyboard in a frequent word: swapped, dropped or added letters
        ("Francisco I. Maedro", "", "FRANCISCO I MAEDRO", "MADERO"),
        ("Ignacio Allnde", "", "IGNACIO ALLNDE", "ALLENDE"),
        ("C. MIGUEL HIDAGLO", "calle", "MIGUEL HIDAGLO", "HIDALGO"),
        ("Vicente Guerrreo", "", "VICENTE GUERRREO", "GUERRERO"),
        ("Santos egollado", "", "SANTOS EGOLLADO", "DEGOLLADO"),
        ("Independnecia", "", "INDEPENDNECIA", "INDEPENDENCIA"),
        # … but not one letter for another, a feminine name, nor a short word
        ("Juan Aldana", "", "JUAN ALDANA", "JUAN ALDANA"),
        ("Agustina Ramírez", "", "AGUSTINA RAMIREZ", "AGUSTINA RAMIREZ"),
        ("Calle Campo Real", "calle", "CAMPO REAL", "CAMPO REAL"),
        ("Hospital General", "", "HOSPITAL GENERAL", "HOSPITAL GENERAL"),  # title last: kept
        ("Leona Vicario", "", "LEONA VICARIO", "LEONA VICARIO"),  # not in the table: as is
        # saints and other abbreviations
        ("Sta. Cruz", "", "SANTA CRUZ", "SANTA CRUZ"),
        ("Sn. Juan de Dios", "", "SAN JUAN DE DIOS", "SAN JUAN DIOS"),
        ("Ntra. Sra. de Guadalupe", "", "NUESTRA SENORA DE GUADALUPE", "NUESTRA SENORA GUADALUPE"),
        ("Hidalgo Ote.", "", "HIDALGO ORIENTE", "HIDALGO ORIENTE"),
        ("Av. Peña", "avenida", "PENA", "PENA"),
        # numeric and ordinal names
        ("5 de Mayo", "", "5 DE MAYO", "5 MAYO"),
        ("CINCO DE MAYO", "", "5 DE MAYO", "5 MAYO"),
        ("Av. 16 de Sept.", "avenida", "16 DE SEPTIEMBRE", "16 SEPTIEMBRE"),
        ("DIECISEIS DE SEPTIEMBRE", "", "16 DE SEPTIEMBRE", "16 SEPTIEMBRE"),
        ("Diez y Seis de Septiembre", "", "16 DE SEPTIEMBRE", "16 SEPTIEMBRE"),
        ("20 de Noviembre", "", "20 DE NOVIEMBRE", "20 NOVIEMBRE"),
        ("1o. de Mayo", "", "1 DE MAYO", "1 MAYO"),
        ("Primero de Mayo", "", "1 DE MAYO", "1 MAYO"),
        ("Calle 10", "calle", "10", "10"),
        ("Calle Cinco", "calle", "5", "5"),
        ("Poniente 5", "", "PONIENTE 5", "PONIENTE 5"),
        # misspellings: the key snaps words that sound like a known street word
        ("HIDALGGO", "", "HIDALGGO", "HIDALGO"),
        ("Juares", "", "JUARES", "JUAREZ"),
        ("MORELOZ", "", "MORELOZ", "MORELOS"),
        ("Independensia", "", "INDEPENDENSIA", "INDEPENDENCIA"),
        ("Cuahutemoc", "", "CUAHUTEMOC", "CUAUHTEMOC"),
        # a house number or colonia after the name is not part of it
        ("Hidalgo S/N", "", "HIDALGO", "HIDALGO"),
        ("Av. Reforma #123 Col. Centro", "avenida", "REFORMA", "REFORMA"),
        ("", "", "", ""),
    ],
)
def test_parse_street(raw, street_type, name, key):
    street = parse_street(raw)
    assert (street.street_type, street.name, street.key) == (street_type, name, key)
    assert street.street_type in (*STREET_TYPES, "")
    assert street.raw == raw


@pytest.mark.parametrize(
    ("raw", "street_type", "ordinal", "key", "match_key"),
    [
        ("1A. PRIVADA DE ALLENDE", "privada", 1, "1 ALLENDE", "PRIVADA 1 ALLENDE"),
        ("Primera Privada Allende", "privada", 1, "1 ALLENDE", "PRIVADA 1 ALLENDE"),
        ("Priv. 1a. de Allende", "privada", 1, "1 ALLENDE", "PRIVADA 1 ALLENDE"),
        ("2DA CERRADA DE HIDALGO", "cerrada", 2, "2 HIDALGO", "CERRADA 2 HIDALGO"),
        ("Segunda Cerrada Hidalgo", "cerrada", 2, "2 HIDALGO", "CERRADA 2 HIDALGO"),
        ("3er. Callejón de Morelos", "callejon", 3, "3 MORELOS", "CALLEJON 3 MORELOS"),
        ("1er Retorno de las Flores", "", 1, "1 RETORNO FLORES", "1 RETORNO FLORES"),
        ("Av. Hidalgo", "avenida", None, "HIDALGO", "HIDALGO"),  # through types: no prefix
    ],
)
def test_parse_street_ordinals(raw, street_type, ordinal, key, match_key):
    street = parse_street(raw)
    assert (street.street_type, street.ordinal, street.key) == (street_type, ordinal, key)
    assert street.match_key == match_key


# Spellings of one street that must share a key.
SAME_STREET = [
    ("MIGUEL HIDALGO Y COSTILLA", "Hidalgo"),
    ("C. Miguel Hidalgo", "HIDALGO"),
    ("Cura Hidalgo", "Hidalgo"),
    ("LIC. BENITO JUAREZ", "Juárez"),
    ("Benito Juárez García", "BENITO JUAREZ"),
    ("Gral. Lázaro Cárdenas del Río", "Cárdenas"),
    ("José María Morelos", "MORELOS"),
    ("Ignacio Allende y Unzaga", "Allende"),
    ("Francisco Villa", "Pancho Villa"),
    ("Ricardo Flores Magón", "Flores Magón"),
    ("5 DE MAYO", "Cinco de Mayo"),
    ("16 de Septiembre", "16 Septiembre"),
    ("1A. PRIVADA DE ALLENDE", "Primera Privada Allende"),
    ("Las Rosas", "Rosas"),
    ("Calle de la Luz", "La Luz"),
    ("Benito Juares", "Juárez"),
    ("EL PIPILA", "Pípila"),
    ("Av. Niños Héroes", "NINOS HEROES DE CHAPULTEPEC"),
]


@pytest.mark.parametrize(("a", "b"), SAME_STREET)
def test_same_street_same_key(a, b):
    assert parse_street(a).key == parse_street(b).key
    assert street_similarity(a, b) == 1.0


# Different streets that must not collide.
DIFFERENT_STREETS = [
    ("HIDALGO", "ALLENDE"),
    ("5 DE MAYO", "5 DE FEBRERO"),
    ("5 DE MAYO", "15 DE MAYO"),
    ("16 DE SEPTIEMBRE", "SEPTIEMBRE"),
    ("1A PRIVADA DE ALLENDE", "2A PRIVADA DE ALLENDE"),
    ("RIO BRAVO", "NICOLAS BRAVO"),
    ("SAN JUAN", "JUAN ALDAMA"),
    ("JUAN ALDAMA", "IGNACIO ALDAMA"),  # only Juan is "Aldama"
    ("SANTA CRUZ", "CRUZ"),
    ("CALLE 10", "CALLE 11"),
    ("PONIENTE 5", "ORIENTE 5"),
    ("RETORNO 5", "5"),
]


@pytest.mark.parametrize(("a", "b"), DIFFERENT_STREETS)
def test_different_streets_differ(a, b):
    assert parse_street(a).key != parse_street(b).key
    assert street_similarity(a, b) < 1.0


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("PRIVADA HIDALGO", "CALLE HIDALGO"),
        ("CERRADA DE MORELOS", "MORELOS"),
        ("PROL. JUAREZ", "AV. JUAREZ"),
        ("CJON. ZARAGOZA", "ZARAGOZA"),
        ("1A PRIVADA DE ALLENDE", "PRIVADA DE ALLENDE"),
    ],
)
def test_distinct_street_types_never_match(a, b):
    sa, sb = parse_street(a), parse_street(b)
    assert sa.key == sb.key or sa.ordinal != sb.ordinal  # same name…
    assert sa.match_key != sb.match_key  # …different street
    assert street_similarity(sa, sb) == 0.0


@pytest.mark.parametrize(("a", "b"), [("AV. HIDALGO", "HIDALGO"), ("BLVD. REFORMA", "C. REFORMA")])
def test_through_street_types_are_interchangeable(a, b):
    assert parse_street(a).match_key == parse_street(b).match_key


def test_street_keys_are_stable():
    """The key of a key is itself: stored keys can be re-normalised without drifting."""
    for raw in [*(a for a, _ in SAME_STREET), *(b for _, b in DIFFERENT_STREETS)]:
        key = parse_street(raw).key
        assert parse_street(key).key == key, raw


# --------------------------------------------------------------------------------------------
# parse_number


@pytest.mark.parametrize(
    ("raw", "number", "suffix", "interior", "unnumbered"),
    [
        ("123", 123, "", "", False),
        ("0123", 123, "", "", False),
        ("123-A", 123, "A", "", False),
        ("123 A", 123, "A", "", False),
        ("123A", 123, "A", "", False),
        ("123 Bis", 123, "BIS", "", False),
        ("#123", 123, "", "", False),
        ("123.0", 123, "", "", False),  # a spreadsheet's whole number
        ("0.0", None, "", "", True),
        ("# 123", 123, "", "", False),
        ("No. 123", 123, "", "", False),
        ("Nº 123", 123, "", "", False),
        ("N° 123", 123, "", "", False),
        ("NUM 123", 123, "", "", False),
        ("Núm. Ext. 123", 123, "", "", False),
        ("123 INT 4", 123, "", "4", False),
        ("123 Int. B", 123, "", "B", False),
        ("123 Depto. 3-B", 123, "", "3B", False),
        ("45 Local 5", 45, "", "5", False),
        ("123/A", 123, "", "A", False),
        ("123-4", 123, "", "4", False),
        ("NO. 12 NO. INT. 3", 12, "", "3", False),
        ("S/N", None, "", "", True),
        ("s/n", None, "", "", True),
        ("SN", None, "", "", True),
        ("S N", None, "", "", True),
        ("S.N.", None, "", "", True),
        ("SIN NUMERO", None, "", "", True),
        ("Sin Núm.", None, "", "", True),
        ("CONOCIDO", None, "", "", True),
        ("Domicilio Conocido", None, "", "", True),
        ("0", None, "", "", True),
        ("", None, "", "", True),
        ("S/N INT 3", None, "", "3", True),
    ],
)
def test_parse_number(raw, number, suffix, interior, unnumbered):
    parsed = parse_number(raw)
    assert (parsed.number, parsed.suffix, parsed.interior) == (number, suffix, interior)
    assert parsed.is_unnumbered is unnumbered
    assert parsed.unparsed == ""


@pytest.mark.parametrize(
    ("raw", "manzana", "lote", "km", "exterior"),
    [
        ("MZ 3 LT 12", "3", "12", None, "MZ 3 LT 12"),
        ("Mza. 3 Lote 12", "3", "12", None, "MZ 3 LT 12"),
        ("M3 L12", "3", "12", None, "MZ 3 LT 12"),
        ("Manzana A Lote 7", "A", "7", None, "MZ A LT 7"),
        ("KM 2.5", "", "", 2.5, "KM 2.5"),
        ("Km. 2+500", "", "", 2.5, "KM 2.5"),
        ("KM 12,5", "", "", 12.5, "KM 12.5"),
    ],
)
def test_parse_number_blocks_and_kilometres(raw, manzana, lote, km, exterior):
    parsed = parse_number(raw)
    assert (parsed.manzana, parsed.lote, parsed.km) == (manzana, lote, km)
    assert parsed.number is None and not parsed.is_unnumbered
    assert parsed.exterior == exterior


def test_parse_number_keeps_what_it_does_not_understand():
    parsed = parse_number("12 Y 14")
    assert parsed.number == 12 and parsed.unparsed == "Y 14"
    assert parse_number("123-A").exterior == "123-A"
    assert parse_number("S/N").exterior == "S/N"
    assert parse_number("123 DEPTO 3").interior_kind == "departamento"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("INT 2", ("2", "interior")),
        ("Int. B", ("B", "interior")),
        ("DEPTO 3-B", ("3B", "departamento")),
        ("Local 5", ("5", "local")),
        ("A", ("A", "")),
        ("4", ("4", "")),
        ("0", ("", "")),
        ("S/N", ("", "")),
        ("N/A", ("", "")),
        ("-", ("", "")),
        ("", ("", "")),
    ],
)
def test_parse_interior(raw, expected):
    assert parse_interior(raw) == expected


# --------------------------------------------------------------------------------------------
# parse_colonia


@pytest.mark.parametrize(
    ("raw", "settlement_type", "name", "key"),
    [
        ("COL. CENTRO", "centro", "CENTRO", "CENTRO"),
        ("Zona Centro", "centro", "CENTRO", "CENTRO"),
        ("CENTRO", "centro", "CENTRO", "CENTRO"),
        ("Colonia Zona Centro", "centro", "CENTRO", "CENTRO"),
        ("Col. Las Flores", "colonia", "LAS FLORES", "FLORES"),
        ("COL LA LUZ", "colonia", "LA LUZ", "LUZ"),
        ("FRACC. LAS FUENTES", "fraccionamiento", "LAS FUENTES", "FUENTES"),
        ("Fraccionamiento Las Fuentes", "fraccionamiento", "LAS FUENTES", "FUENTES"),
        ("U.H. INFONAVIT", "unidad_habitacional", "INFONAVIT", "INFONAVIT"),
        ("Unidad Hab. Infonavit", "unidad_habitacional", "INFONAVIT", "INFONAVIT"),
        ("Infonavit Las Rosas", "unidad_habitacional", "INFONAVIT LAS ROSAS", "INFONAVIT ROSAS"),
        ("Barrio de San Juan", "barrio", "SAN JUAN", "SAN JUAN"),
        ("Bo. San Juan", "barrio", "SAN JUAN", "SAN JUAN"),
        ("Ejido San Isidro", "ejido", "SAN ISIDRO", "SAN ISIDRO"),
        ("EJ. SAN ISIDRO", "ejido", "SAN ISIDRO", "SAN ISIDRO"),
        ("Ranchería El Carmen", "rancheria", "EL CARMEN", "CARMEN"),
        ("Col. Benito Juárez", "colonia", "BENITO JUAREZ", "JUAREZ"),
        ("Las Fuentes 2da. Secc.", "", "LAS FUENTES 2 SECCION", "FUENTES 2 SECCION"),
        ("Las Fuentes Segunda Sección", "", "LAS FUENTES 2 SECCION", "FUENTES 2 SECCION"),
        ("Las Fuentes Sección II", "", "LAS FUENTES 2 SECCION", "FUENTES 2 SECCION"),
        ("Valle Verde III", "", "VALLE VERDE 3", "VALLE VERDE 3"),
        ("Ampl. Emiliano Zapata", "", "AMPLIACION EMILIANO ZAPATA", "AMPLIACION ZAPATA"),
        ("Col. La Luz C.P. 38300", "colonia", "LA LUZ", "LUZ"),
        ("", "", "", ""),
    ],
)
def test_parse_colonia(raw, settlement_type, name, key):
    colonia = parse_colonia(raw)
    assert (colonia.settlement_type, colonia.name, colonia.key) == (settlement_type, name, key)


def test_colonias_that_differ():
    assert parse_colonia("LAS FUENTES").key != parse_colonia("LAS FUENTES 2A SECCION").key
    assert parse_colonia("CENTRO").key != parse_colonia("LAS FUENTES CENTRO").key
    assert parse_colonia("SAN JUAN").key != parse_colonia("SAN JUAN BAUTISTA").key


# --------------------------------------------------------------------------------------------
# parse_address: whole addresses, also in the street field alone


@pytest.mark.parametrize(
    ("fields", "street", "exterior", "interior", "colonia"),
    [
        (("AV. REFORMA #123 INT 2 COL. CENTRO",), ("avenida", "REFORMA"), "123", "2", "CENTRO"),
        (("CALLE HIDALGO 45-B",), ("calle", "HIDALGO"), "45-B", "", ""),
        (("HIDALGO S/N",), ("", "HIDALGO"), "S/N", "", ""),
        (("DOMICILIO CONOCIDO",), ("", ""), "S/N", "", ""),
        (("CALLE 5 DE MAYO 123",), ("calle", "5 MAYO"), "123", "", ""),
        # a numbered street written with a number marker, the house number in its own field
        (("CALLE NO. 3", "26"), ("calle", "3"), "26", "", ""),
        (("PRIVADA #2", "8"), ("privada", "2"), "8", "", ""),
        (("HIDALGO #12", "14"), ("", "HIDALGO"), "14", "", ""),  # a named street: the field wins
        (("5 de Mayo 123 Las Fuentes",), ("", "5 MAYO"), "123", "", "FUENTES"),
        (("16 DE SEPTIEMBRE S/N",), ("", "16 SEPTIEMBRE"), "S/N", "", ""),
        (("C. Miguel Hidalgo No. 45 Int. 3",), ("calle", "HIDALGO"), "45", "3", ""),
        (("Priv. Allende # 5-A, Col. Las Flores",), ("privada", "ALLENDE"), "5-A", "", "FLORES"),
        (("Hidalgo 45, Centro",), ("", "HIDALGO"), "45", "", "CENTRO"),
        (
            ("C. Roble Mz 3 Lt 12 Fracc. Los Arboles",),
            ("calle", "ROBLE"),
            "MZ 3 LT 12",
            "",
            "ARBOLES",
        ),
        (
            ("Carr. Cortazar-Salamanca Km 2.5",),
            ("carretera", "CORTAZAR SALAMANCA"),
            "KM 2.5",
            "",
            "",
        ),
        (("Calle 10 25",), ("calle", "10"), "25", "", ""),
        (("Sn. Juan 12",), ("", "SAN JUAN"), "12", "", ""),
        (("Hidalgo", "45 INT 2"), ("", "HIDALGO"), "45", "2", ""),
        (("Morelos", "12", "B", "ZONA CENTRO"), ("", "MORELOS"), "12", "B", "CENTRO"),
        (("Poniente 5", "12"), ("", "PONIENTE 5"), "12", "", ""),  # a number field: "5" is name
        (("Hidalgo 45", "45"), ("", "HIDALGO"), "45", "", ""),  # the street repeats the number
        (("Hidalgo 45", "S/N"), ("", "HIDALGO"), "45", "", ""),
        (("Calle 10",), ("calle", "10"), "S/N", "", ""),
        (("Juárez 16 de Septiembre",), ("", "JUAREZ 16 SEPTIEMBRE"), "S/N", "", ""),
        (("Hidalgo 45 Altos",), ("", "HIDALGO"), "45", "ALTOS", ""),
        (("Cerro Alto 12",), ("", "CERRO ALTO"), "12", "", ""),
        (("Carretera Federal 45 Km 3",), ("carretera", "FEDERAL 45"), "KM 3", "", ""),
        (("Av. Constitución 1917 # 8",), ("avenida", "CONSTITUCION 1917"), "8", "", ""),
        (("calle hidalgo no 45 col centro",), ("calle", "HIDALGO"), "45", "", "CENTRO"),
        (("Dom. Conocido, Ranchería El Carmen",), ("", ""), "S/N", "", "CARMEN"),
        # The whole address in one field, as billing systems with a DOMICILIO column write it:
        # short settlement prefixes after a comma or with their period, a type named by
        # another, a marked number after a type alone, a unit after the interior marker.
        (("Hidalgo 101, Ej. El Sabino",), ("", "HIDALGO"), "101", "", "SABINO"),
        (("Hidalgo 101 Bo. San Juan",), ("", "HIDALGO"), "101", "", "SAN JUAN"),
        (("Ave. Periférico 114, Col. Merino",), ("avenida", "PERIFERICO"), "114", "", "MERINO"),
        (("Periférico #218, Col. Merino",), ("", "PERIFERICO"), "218", "", "MERINO"),
        (("Periférico 218",), ("", "PERIFERICO 218"), "S/N", "", ""),  # bare: as "Calle 10"
        (("Calle Privada 5",), ("privada", "5"), "S/N", "", ""),
        (("Hidalgo 215 Int Depto A, Col. Centro",), ("", "HIDALGO"), "215", "A", "CENTRO"),
    ],
)
def test_parse_address(fields, street, exterior, interior, colonia):
    address = parse_address(*fields)
    assert (address.street.street_type, address.street.key) == street
    assert address.number.exterior == exterior
    assert address.number.interior == interior
    assert address.colonia.key == colonia


def test_parse_address_postal_code_and_cross_streets():
    address = parse_address("Hidalgo 45 esq. Juárez Col. Centro C.P. 38300")
    assert address.street.key == "HIDALGO"
    assert address.number.number == 45
    assert address.colonia.settlement_type == "centro"
    assert address.postal_code == "38300"
    assert address.reference == "ESQ JUAREZ"


def test_parse_address_explicit_fields_win():
    address = parse_address("AV. JUAREZ 300 INT 4 COL. CENTRO", "", "7", "Fracc. Las Fuentes")
    assert address.number.number == 300
    assert address.number.interior == "7"
    assert address.colonia.settlement_type == "fraccionamiento"


# --------------------------------------------------------------------------------------------
# Fuzzy matching: phonetic key and trigram similarity


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("JUAREZ", "JUARES"),
        ("MORELOS", "MORELOZ"),
        ("HIDALGO", "HIDALGGO"),
        ("INDEPENDENCIA", "INDEPENDENSIA"),
        ("VALLE", "BAYE"),
        ("CUAUHTEMOC", "CUAHUTEMOC"),
        ("GUERRERO", "GUERERO"),
        ("ZARAGOZA", "SARAGOSA"),
    ],
)
def test_phonetic_key_folds_spelling_confusions(a, b):
    assert phonetic_key(a) == phonetic_key(b)


@pytest.mark.parametrize(("a", "b"), [("ALLENDE", "ALDAMA"), ("CASA", "CAMA"), ("5 MAYO", "6 MAY")])
def test_phonetic_key_keeps_different_words_apart(a, b):
    assert phonetic_key(a) != phonetic_key(b)


def test_similarity_mirrors_pg_trgm():
    assert similarity("HIDALGO", "hidalgo") == 1.0
    assert similarity("", "HIDALGO") == 0.0
    # pg_trgm: SELECT similarity('word', 'two words') = 0.36363637
    assert similarity("word", "two words") == pytest.approx(4 / 11)
    assert 0.0 <= similarity("HIDALGO", "ALLENDE") < 0.2


def test_typos_stay_close_and_different_streets_far():
    one_letter_swap = street_similarity("C. ZARAGOZA", "ZARAOGZA")
    assert one_letter_swap > 0.3
    assert street_similarity("HIDALGO", "ALLENDE") < one_letter_swap
    assert street_similarity("5 DE MAYO", "5 DE FEBRERO") < 0.5
