"""The plugin's pure core (no QGIS): runs under plain pytest in either environment."""

import json
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "qgis_plugin"))

from padron_sig.core import api, catalogue, errors, inspect  # noqa: E402

CATALOGUE_YAML = ROOT / "layers" / "catalogue.yaml"


def test_core_does_not_import_qgis_or_qt() -> None:
    for path in (ROOT / "qgis_plugin" / "padron_sig" / "core").glob("*.py"):
        source = path.read_text(encoding="utf-8")
        for banned in ("import qgis", "from qgis", "PyQt", "qgis.PyQt"):
            assert banned not in source, f"{path.name} imports {banned}"


# -- URLs -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("padron.example.mx", "https://padron.example.mx"),
        ("http://127.0.0.1:8000/", "http://127.0.0.1:8000"),
        ("https://sig.jumapac.gob.mx/padron/api/v1/", "https://sig.jumapac.gob.mx/padron"),
        ("  https://x.mx/?a=1#f ", "https://x.mx"),
    ],
)
def test_normalize_server_url(typed: str, expected: str) -> None:
    assert api.normalize_server_url(typed) == expected


@pytest.mark.parametrize("typed", ["", "   ", "ftp://x.mx", "https://"])
def test_normalize_server_url_refuses(typed: str) -> None:
    with pytest.raises(api.InvalidServerUrl):
        api.normalize_server_url(typed)


def test_api_url_builds_paths_and_params() -> None:
    server = "http://127.0.0.1:8000/"
    assert api.api_url(server, "auth/token/") == "http://127.0.0.1:8000/api/v1/auth/token/"
    assert (
        api.api_url(server, "/api/v1/tiles/parcels/{z}/{x}/{y}.pbf")
        == "http://127.0.0.1:8000/api/v1/tiles/parcels/{z}/{x}/{y}.pbf"
    )
    bbox = api.format_bbox(-100.95, 20.46, -100.90, 20.5)
    assert bbox == "-100.950000,20.460000,-100.900000,20.500000"
    url = api.features_url(server, "/api/v1/parcels/", bbox, limit=500)
    assert url == (
        "http://127.0.0.1:8000/api/v1/parcels/"
        "?bbox=-100.950000,20.460000,-100.900000,20.500000&limit=500"
    )
    with pytest.raises(ValueError):
        api.format_bbox(1, 0, 0, 1)


def test_token_only_for_the_api_server() -> None:
    server = "https://padron.example.mx"
    assert api.same_server("https://padron.example.mx/api/v1/parcels/?bbox=1", server)
    assert api.same_server("https://PADRON.example.mx:443/x", server)
    assert not api.same_server("http://padron.example.mx/api/v1/", server)  # not over http
    assert not api.same_server("https://tile.openstreetmap.org/1/1/1.png", server)
    assert not api.same_server("https://padron.example.mx.evil.com/", server)
    assert not api.same_server("https://padron.example.mx:8443/", server)
    assert api.authorization_header("abc123") == b"Token abc123"


def test_token_body_and_answer() -> None:
    body = api.token_request_body("jefe", "c0ntraseña&=")
    assert body == b"username=jefe&password=c0ntrase%C3%B1a%26%3D"
    assert api.parse_token(b'{"token": "f00"}') == "f00"
    for bad in (b"{}", b'{"token": ""}', b"[]"):
        with pytest.raises(ValueError):
            api.parse_token(bad)
    with pytest.raises(ValueError):
        api.parse_token(b"<html>")


def test_feature_pages_merge() -> None:
    page1 = api.parse_feature_page(
        json.dumps(
            {"type": "FeatureCollection", "features": [{"id": 1}], "next": "http://x/?offset=1"}
        ).encode()
    )
    page2 = api.parse_feature_page(b'{"type": "FeatureCollection", "features": [{"id": 2}]}')
    assert page1.next_url and page2.next_url is None
    merged = api.merge_pages([page1, page2])
    assert [f["id"] for f in merged["features"]] == [1, 2]
    assert [f["properties"]["id"] for f in merged["features"]] == [1, 2]
    with pytest.raises(ValueError):
        api.parse_feature_page(b'{"detail": "x"}')


# -- catalogue --------------------------------------------------------------------------------
def project_catalogue() -> list[catalogue.LayerDef]:
    return catalogue.parse_catalogue(yaml.safe_load(CATALOGUE_YAML.read_text(encoding="utf-8")))


def test_project_catalogue_parses() -> None:
    layers = project_catalogue()
    ids = [layer.id for layer in layers]
    assert ids[:2] == ["parcels", "accounts"]
    for layer in layers:
        assert layer.title and layer.qml and layer.style_classes
        assert (ROOT / "layers" / layer.qml).is_file()
        for cls in layer.style_classes:
            catalogue.hex_to_rgb(cls.color)
    by_id = {layer.id: layer for layer in layers}
    assert by_id["parcels"].geojson == "/api/v1/parcels/"
    assert by_id["parcels"].tiles == "/api/v1/tiles/parcels/{z}/{x}/{y}.pbf"
    assert by_id["meters"].geojson == "/api/v1/meters/" and by_id["meters"].tiles is None
    assert not by_id["suspensions"].loads_as_geojson
    # the big layers load as vector tiles; their GeoJSON serves the inspect tool
    assert [layer.id for layer in layers if layer.loads_as_geojson] == [
        "meters",
        "colonias",
        "sectors",
    ]
    grid = by_id["parcels"].grid()
    assert grid is not None and grid.id == "parcels_grid" and grid.style_property == "share_over_90"
    assert (grid.minzoom, grid.maxzoom, grid.style_kind) == (10, 14, "graduated")
    assert by_id["segments"].grid() is None


def test_drawing_order_points_over_lines_over_polygons() -> None:
    ordered = [layer.id for layer in catalogue.drawing_order(project_catalogue())]
    assert ordered == [
        "accounts",
        "suspensions",
        "meters",
        "segments",
        "parcels",
        "colonias",
        "sectors",
    ]


def test_tiles_when_geojson_lacks_the_style_property() -> None:
    by_id = {layer.id: layer for layer in project_catalogue()}
    assert catalogue.use_tiles_instead(by_id["segments"], ["id", "name"])
    assert not catalogue.use_tiles_instead(by_id["segments"], ["id", "arrears_count"])
    assert not catalogue.use_tiles_instead(by_id["meters"], ["id"])  # no tiles to fall back on


def test_catalogue_errors() -> None:
    with pytest.raises(catalogue.CatalogueError):
        catalogue.parse_catalogue({"version": 1})
    with pytest.raises(catalogue.CatalogueError):
        catalogue.parse_catalogue({"version": 2, "layers": []})
    base = {"id": "x", "geometry": "point", "source": {"type": "geojson", "url": "/a/"}}
    with pytest.raises(catalogue.CatalogueError):
        catalogue.parse_catalogue({"layers": [base, base]})
    with pytest.raises(catalogue.CatalogueError):
        catalogue.parse_layer({**base, "geometry": "blob"})
    with pytest.raises(catalogue.CatalogueError):
        catalogue.parse_layer({**base, "qml": "/home/ana/x.qml"})
    with pytest.raises(catalogue.CatalogueError):
        catalogue.parse_layer({**base, "source": {"type": "wms"}})


def test_class_expressions() -> None:
    by_id = {layer.id: layer for layer in project_catalogue()}
    susp = by_id["suspensions"]
    assert catalogue.class_expression(susp, 0) == "\"kind\" = 'restriccion'"
    seg = by_id["segments"]
    assert catalogue.class_expression(seg, 1) == '"arrears_count" >= 1 AND "arrears_count" < 3'
    last = len(seg.style_classes) - 1
    assert catalogue.class_expression(seg, last) == '"arrears_count" >= 11'


# -- messages ---------------------------------------------------------------------------------
def test_messages_are_spanish_and_specific() -> None:
    msg = errors.user_message
    F, K = errors.Failure, errors.Kind
    assert msg(F(K.HTTP, 400, b'{"non_field_errors": ["x"]}', during_login=True)) == (
        "Usuario o contraseña incorrectos."
    )
    assert "expiró" in msg(F(K.HTTP, 401, b'{"detail": "Invalid token."}'))
    assert "No se pudo conectar con http://h:1" in msg(F(K.UNREACHABLE, server="http://h:1"))
    assert "a tiempo" in msg(F(K.TIMEOUT))
    assert "rol" in msg(F(K.HTTP, 403))
    bad_bbox = F(K.HTTP, 400, '{"bbox": ["Rectángulo no válido"]}'.encode())
    assert msg(bad_bbox) == "Solicitud no válida: Rectángulo no válido"
    assert "500" in msg(F(K.HTTP, 500))
    assert "Conectar" in msg(F(K.NOT_CONNECTED))
    for kind in K:
        text = msg(F(kind, 418))
        assert text and "Traceback" not in text


# -- inspect ----------------------------------------------------------------------------------
def account(number: str, parcel_id: int | None, **props: object) -> dict[str, object]:
    return {
        "type": "Feature",
        "id": int(number),
        "properties": {"number": number, "parcel_id": parcel_id, **props},
    }


def test_parcel_accounts_and_masking() -> None:
    features = [
        account("2", 7, holder_name="Ana Ruiz", holder_masked=False, status="activo", balance=0),
        account("1", 7, holder_name=None, holder_masked=True, status="suspendido"),
        account("3", 8, holder_name="Vecino", holder_masked=False),
        account("4", None, holder_name="Sin predio"),
    ]
    rows = inspect.parcel_accounts(7, features)
    assert [r.number for r in rows] == ["1", "2"]
    assert rows[0].holder == inspect.MASK and rows[0].status == "Suspendido / cortado"
    assert rows[1].holder == "Ana Ruiz" and rows[1].balance == "$0.00"
    assert inspect.parcel_accounts("7", features)[0].number == "1"  # ids as text from QGIS


def test_account_row_cells() -> None:
    row = inspect.account_row(
        account(
            "10",
            1,
            tariff="domestico_popular",
            balance="1234.5",
            months_overdue=3,
            parcel_method="clave_catastral",
            parcel_score=0.9731,
            holder_name="Luis",
        )
    )
    cells = inspect.account_cells(row)
    assert len(cells) == len(inspect.ACCOUNT_HEADERS)
    assert cells == (
        "10",
        "Luis",
        "—",
        "Doméstico popular",
        "$1,234.50",
        "3",
        "Clave catastral",
        "0.97",
    )
    assert inspect.account_row(account("11", 1)).link_method == "Sin vínculo"


def test_parcel_meters() -> None:
    meters = [
        {
            "properties": {
                "serial": "B",
                "account_id": 10,
                "account_number": "10",
                "state": "danado",
            }
        },
        {"properties": {"serial": "A", "account_id": 10, "account_number": "10"}},
        {"properties": {"serial": "C", "account_id": 99}},
    ]
    rows = inspect.parcel_meters([10, None], meters)
    assert [r.serial for r in rows] == ["A", "B"]
    assert inspect.meter_cells(rows[1]) == ("B", "Dañado", "—", "10")  # the state's label


def test_labels_go_through_the_translate_function() -> None:
    english = {"Suspendido / cortado": "Suspended / cut off", inspect.MASK: "•••• (hidden)"}.get
    row = inspect.account_row(
        account("5", 1, status="suspendido", holder_masked=True, parcel_method="direccion"),
        lambda text: english(text) or text,
    )
    assert (row.status, row.holder, row.link_method) == (
        "Suspended / cut off",
        "•••• (hidden)",
        "Dirección",
    )
    assert errors.user_message(
        errors.Failure(errors.Kind.UNREACHABLE, server="http://h:1"),
        lambda t: t.replace("No se pudo conectar con", "Could not connect to"),
    ).startswith("Could not connect to http://h:1.")  # placeholders filled after translating


def test_parcel_at_a_clicked_point() -> None:
    square = [[[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]]]
    hole = [[4, 4], [6, 4], [6, 6], [4, 6], [4, 4]]
    features = [
        {"id": 1, "geometry": {"type": "Polygon", "coordinates": [square[0], hole]}},
        {"id": 2, "geometry": {"type": "MultiPolygon", "coordinates": [[[[20, 0], [30, 0],
                                                                          [30, 5], [20, 0]]]]}},
        {"id": 3, "geometry": None},
    ]  # fmt: skip
    assert inspect.parcel_at(features, 1, 1)["id"] == 1
    assert inspect.parcel_at(features, 5, 5) is None  # inside the hole
    assert inspect.parcel_at(features, 29, 1)["id"] == 2
    assert inspect.parcel_at(features, 21, 4) is None  # outside the triangle
    assert inspect.parcel_attributes({"id": 7, "properties": {"cadastral_key": "K"}}) == {
        "cadastral_key": "K",
        "id": 7,
    }
