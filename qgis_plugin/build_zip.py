"""Writes dist/padron_sig.zip, the plugin as QGIS's «Install from ZIP» expects it: one top folder
``padron_sig/`` with metadata.txt, no caches, the compiled translations (``resources/i18n/*.qm``,
committed; see translations.py) and its own copy of qgis-plugin-tools, pinned
(``padron_sig/qgis_plugin_tools/``, the layout the library supports for plugins that embed it), so
that the user's QGIS needs no pip install. Standard library only; run with any Python 3.11:

    python3 qgis_plugin/build_zip.py [--output dist/padron_sig.zip] [--plugin-tools DIR]

qgis-plugin-tools comes from, in this order: ``--plugin-tools`` (the package folder); the
interpreter running this script; ``.venv-qgis`` (gis_backend/deploy/setup_qgis.sh); else pip
downloads the pinned wheel into var/cache/ (``python3 -m pip download``). The version is
checked against the pin in every case.
"""

from __future__ import annotations

import argparse
import configparser
import email.parser
import importlib.util
import subprocess
import sys
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
PACKAGE = HERE / "padron_sig"
ROOT = HERE.parent
REQUIRED = ("name", "qgisMinimumVersion", "description", "about", "version", "author", "email")
SKIP_DIRS = {"__pycache__", ".mypy_cache", ".pytest_cache", ".ruff_cache"}
SKIP_SUFFIXES = {".pyc", ".pyo", ".orig", ".rej", ".ts"}
# Pinned with the test environment (gis_backend/deploy/setup_qgis.sh); the last release for
# Python 3.11 (QGIS 3.22 on Debian 12).
PLUGIN_TOOLS = "qgis_plugin_tools"
PLUGIN_TOOLS_VERSION = "1.1.1"
# Parts of qgis-plugin-tools a running plugin does not use: release tooling and test helpers.
PLUGIN_TOOLS_SKIP = {"infrastructure", "testing"}
CACHE = ROOT / "var" / "cache" / "qgis_plugin_tools"


def _dist_version(package_dir: Path) -> str | None:
    """Version of the installed distribution beside ``package_dir`` (its .dist-info)."""
    for info in package_dir.parent.glob(f"{PLUGIN_TOOLS}-*.dist-info"):
        metadata = info / "METADATA"
        if metadata.is_file():
            headers = email.parser.Parser().parsestr(metadata.read_text(encoding="utf-8"))
            return headers.get("Version")
    return None


def _candidates() -> list[Path]:
    found = []
    spec = importlib.util.find_spec(PLUGIN_TOOLS)
    if spec is not None and spec.origin:
        found.append(Path(spec.origin).parent)
    found += sorted(ROOT.glob(f".venv-qgis/lib/python3*/site-packages/{PLUGIN_TOOLS}"))
    found += sorted(CACHE.glob(f"{PLUGIN_TOOLS_VERSION}/{PLUGIN_TOOLS}"))
    return found


def _download() -> Path:
    """The pinned wheel, through pip, unpacked into var/cache/qgis_plugin_tools/<version>/."""
    target = CACHE / PLUGIN_TOOLS_VERSION
    wheels = target / "wheel"
    subprocess.run(  # noqa: S603
        [
            sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
            "--only-binary=:all:", "--python-version", "3.11",
            "--dest", str(wheels), f"qgis-plugin-tools=={PLUGIN_TOOLS_VERSION}",
        ],
        check=True,
    )  # fmt: skip
    wheel = next(wheels.glob("qgis_plugin_tools-*.whl"))
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(target)
    return target / PLUGIN_TOOLS


def plugin_tools(explicit: Path | None = None) -> Path:
    """The folder of the pinned qgis_plugin_tools package to bundle."""
    candidates = [explicit] if explicit is not None else _candidates()
    for folder in candidates:
        if (folder / "__init__.py").is_file() and _dist_version(folder) == PLUGIN_TOOLS_VERSION:
            return folder
    if explicit is not None:
        raise SystemExit(f"{explicit}: no es qgis-plugin-tools {PLUGIN_TOOLS_VERSION}")
    folder = _download()
    if _dist_version(folder) != PLUGIN_TOOLS_VERSION:
        raise SystemExit(f"pip no entregó qgis-plugin-tools {PLUGIN_TOOLS_VERSION}")
    return folder


def plugin_tools_files(folder: Path) -> list[tuple[Path, str]]:
    """(file, name in the zip) of the bundled library, with its licence."""
    result = []
    for path in sorted(folder.rglob("*")):
        parts = path.relative_to(folder).parts
        if path.is_dir() or SKIP_DIRS & set(parts) or parts[0] in PLUGIN_TOOLS_SKIP:
            continue
        if path.suffix in SKIP_SUFFIXES:
            continue
        name = Path("padron_sig") / PLUGIN_TOOLS / path.relative_to(folder)
        result.append((path, name.as_posix()))
    return result


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


def build(output: Path, tools_folder: Path | None = None) -> Path:
    general = metadata()
    missing_qm = [
        ts.name for ts in PACKAGE.glob("resources/i18n/*.ts") if not ts.with_suffix(".qm").is_file()
    ]
    if missing_qm:
        raise SystemExit(f"Faltan los .qm de {', '.join(missing_qm)}: translations.py release")
    entries = [
        (path, (Path("padron_sig") / path.relative_to(PACKAGE)).as_posix()) for path in files()
    ]
    entries += plugin_tools_files(plugin_tools(tools_folder))
    output.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
        for path, name in entries:
            info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, path.read_bytes())
    print(
        f"{output} — {general['name']} {general['version']} ({len(entries)} archivos, "
        f"qgis-plugin-tools {PLUGIN_TOOLS_VERSION})"
    )
    return output


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=ROOT / "dist" / "padron_sig.zip")
    parser.add_argument("--plugin-tools", type=Path, default=None, help="qgis_plugin_tools folder")
    args = parser.parse_args(argv)
    build(args.output, args.plugin_tools)
    return 0


if __name__ == "__main__":
    sys.exit(main())
