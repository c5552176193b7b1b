"""Hex EWKB for rectangles, segments and points, built for a million rows at once with numpy.

PostgreSQL's COPY reads a geometry column from its hex EWKB text (see ../shared/PERF.md: one
of the fastest ways in). Every record here has a fixed size, so a structured numpy array holds
the whole column and one ``hexlify`` turns it into text.
"""

import binascii

import numpy as np

SRID_FLAG = 0x20000000
WKB_POINT = 1
WKB_LINESTRING = 2
WKB_POLYGON = 3
WKB_MULTIPOLYGON = 6

_HEADER = [("order", "u1"), ("type", "<u4"), ("srid", "<u4")]

_MULTIPOLYGON_RECT = np.dtype(
    [
        *_HEADER,
        ("n_polygons", "<u4"),
        ("p_order", "u1"),
        ("p_type", "<u4"),
        ("n_rings", "<u4"),
        ("n_points", "<u4"),
        ("xy", "<f8", (10,)),
    ]
)
_LINESTRING_2 = np.dtype([*_HEADER, ("n_points", "<u4"), ("xy", "<f8", (4,))])
_POINT = np.dtype([*_HEADER, ("xy", "<f8", (2,))])


def _to_hex(records: np.ndarray) -> np.ndarray:
    width = records.dtype.itemsize * 2
    text = binascii.hexlify(records.tobytes())
    return np.frombuffer(text, dtype=f"S{width}").astype(np.dtypes.StringDType())


def rectangles(
    x0: np.ndarray, y0: np.ndarray, x1: np.ndarray, y1: np.ndarray, srid: int
) -> np.ndarray:
    """Axis-aligned rectangles as MultiPolygons (counter-clockwise shell, closed ring)."""
    rec = np.zeros(len(x0), dtype=_MULTIPOLYGON_RECT)
    rec["order"] = 1
    rec["type"] = WKB_MULTIPOLYGON | SRID_FLAG
    rec["srid"] = srid
    rec["n_polygons"] = 1
    rec["p_order"] = 1
    rec["p_type"] = WKB_POLYGON
    rec["n_rings"] = 1
    rec["n_points"] = 5
    rec["xy"] = np.column_stack([x0, y0, x1, y0, x1, y1, x0, y1, x0, y0])
    return _to_hex(rec)


def segments(
    x0: np.ndarray, y0: np.ndarray, x1: np.ndarray, y1: np.ndarray, srid: int
) -> np.ndarray:
    """Two-point LineStrings from (x0, y0) to (x1, y1)."""
    rec = np.zeros(len(x0), dtype=_LINESTRING_2)
    rec["order"] = 1
    rec["type"] = WKB_LINESTRING | SRID_FLAG
    rec["srid"] = srid
    rec["n_points"] = 2
    rec["xy"] = np.column_stack([x0, y0, x1, y1])
    return _to_hex(rec)


def points(x: np.ndarray, y: np.ndarray, srid: int) -> np.ndarray:
    rec = np.zeros(len(x), dtype=_POINT)
    rec["order"] = 1
    rec["type"] = WKB_POINT | SRID_FLAG
    rec["srid"] = srid
    rec["xy"] = np.column_stack([x, y])
    return _to_hex(rec)
