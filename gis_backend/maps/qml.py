"""Writes simple QGIS styles (.qml) for the catalogue's layers, from its colours.

The styles are for QGIS vector layers (the GeoJSON sources, or PostGIS tables): a categorised
renderer for ``classes`` and a graduated one for ``stops``, one symbol per class. They are a
starting point that the QGIS plugin's issue refines in QGIS; regenerate with
``padron-admin write_layer_styles``.
"""

from typing import Any
from xml.etree import ElementTree as ET

from gis_backend.maps.catalogue import Layer

QGIS_VERSION = "3.22.16-Białowieża"
SYMBOL_TYPES = {"polygon": "fill", "line": "line", "point": "marker"}
OUTLINE = "35,35,35,255"


def rgba(hex_colour: str) -> str:
    value = hex_colour.lstrip("#")
    red, green, blue = (int(value[i : i + 2], 16) for i in (0, 2, 4))
    return f"{red},{green},{blue},255"


def options(parent: ET.Element, values: dict[str, str]) -> None:
    mapping = ET.SubElement(parent, "Option", type="Map")
    for name, value in values.items():
        ET.SubElement(mapping, "Option", name=name, value=value, type="QString")


def layer_attributes(symbol_class: str) -> dict[str, str]:
    return {"class": symbol_class, "enabled": "1", "pass": "0", "locked": "0"}


def symbol(parent: ET.Element, name: str, geometry: str, colour: str) -> None:
    kind = SYMBOL_TYPES[geometry]
    element = ET.SubElement(
        parent, "symbol", type=kind, name=name, alpha="1", clip_to_extent="1", force_rhr="0"
    )
    if kind == "fill":
        layer = ET.SubElement(element, "layer", layer_attributes("SimpleFill"))
        values = {"color": rgba(colour), "outline_color": OUTLINE, "outline_width": "0.2",
                  "outline_width_unit": "MM", "style": "solid"}  # fmt: skip
    elif kind == "line":
        layer = ET.SubElement(element, "layer", layer_attributes("SimpleLine"))
        values = {"line_color": rgba(colour), "line_width": "0.8", "line_width_unit": "MM",
                  "capstyle": "round", "joinstyle": "round"}  # fmt: skip
    else:
        layer = ET.SubElement(element, "layer", layer_attributes("SimpleMarker"))
        values = {"color": rgba(colour), "name": "circle", "size": "2.4", "size_unit": "MM",
                  "outline_color": OUTLINE, "outline_width": "0.2"}  # fmt: skip
    options(layer, values)


def renderer(style: dict[str, Any], geometry: str) -> ET.Element:
    symbols = ET.Element("symbols")
    if "classes" in style:
        element = ET.Element(
            "renderer-v2",
            type="categorizedSymbol",
            attr=style["property"],
            symbollevels="0",
            enableorderby="0",
            forceraster="0",
        )
        categories = ET.SubElement(element, "categories")
        for index, item in enumerate(style["classes"]):
            ET.SubElement(
                categories,
                "category",
                value=str(item["value"]),
                label=item["label"],
                symbol=str(index),
                render="true",
            )
            symbol(symbols, str(index), geometry, item["color"])
    else:
        element = ET.Element(
            "renderer-v2",
            type="graduatedSymbol",
            attr=style["property"],
            graduatedMethod="GraduatedColor",
            symbollevels="0",
            enableorderby="0",
            forceraster="0",
        )
        ranges = ET.SubElement(element, "ranges")
        stops = style["stops"]
        for index, item in enumerate(stops):
            upper = stops[index + 1]["value"] if index + 1 < len(stops) else 1e12
            ET.SubElement(
                ranges,
                "range",
                lower=str(item["value"]),
                upper=str(upper),
                label=item["label"],
                symbol=str(index),
                render="true",
            )
            symbol(symbols, str(index), geometry, item["color"])
    element.append(symbols)
    return element


def layer_qml(layer: Layer) -> str:
    root = ET.Element("qgis", version=QGIS_VERSION, styleCategories="Symbology")
    root.append(renderer(layer.style, layer.geometry))
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    return f"<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n{body}\n"
