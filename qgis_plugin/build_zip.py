"""Writes dist/padron_sig.zip, the plugin as QGIS's «Install from ZIP» expects it: one top folder
``padron_sig/`` with metadata.txt, no caches. Standard library only; run with any Python 3.11:

    python3 qgis_plugin/build_zip.py [--output dist/padron_sig.zip]
"""

from __future__ import annotations

import argparse
import configparser
import sys
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
PACKAGE = HERE / "padron_sig"
ROOT = HERE.parent
REQUIRED = ("name", "qgisMinimumVersion", "description", "about", "version", "author", "email")
SKIP_DIRS = {"__pycache__", ".mypy_cache", ".pytest_cache", ".ruff_cache"}
SKIP_SUFFIXES = {".pyc", ".pyo", ".orig", ".rej", ".ts"}


def metadata() -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(PACKAGE / "metadata.txt", encoding="utf-8")
    general = parser["general"]
    missing = [key for key in REQUIRED if not general.get(key)]
    if missing:
        raise SystemExit(f"metadata.txt: faltan {', '.join(missing)}")
    return general


def files() -> list[Path]:
    result = []
    for path in sorted(PACKAGE.rglob("*")):
        if path.is_dir() or SKIP_DIRS & set(path.relative_to(PACKAGE).parts):
            continue
        if path.suffix in SKIP_SUFFIXES:
            continue
        result.append(path)
    return result


def build(output: Path) -> Path:
    general = metadata()
    output.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in files():
            name = Path("padron_sig") / path.relative_to(PACKAGE)
            info = zipfile.ZipInfo(name.as_posix(), date_time=(2026, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, path.read_bytes())
    print(f"{output} — {general['name']} {general['version']} ({len(files())} archivos)")
    return output


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=ROOT / "dist" / "padron_sig.zip")
    build(parser.parse_args(argv).output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
