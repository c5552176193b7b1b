"""The plugin's translations: ``padron_sig/resources/i18n/<lang>.ts`` (sources are Spanish;
``en`` translates them) and the compiled ``.qm`` QGIS loads. Debian's tools: pylupdate5
(pyqt5-dev-tools) and lrelease (qttools5-dev-tools). Standard library only.

    python3 qgis_plugin/translations.py update    # collect tr() strings into the .ts files
    # translate the new strings (Qt Linguist or any editor), then:
    python3 qgis_plugin/translations.py release   # compile the .ts files into .qm

The .qm files are committed beside the .ts files (a few kB), so that ``make plugin`` needs no Qt
tools; tests/plugin/test_translations.py checks they are what lrelease makes of the .ts files,
and that every tr() string of the sources is in the .ts files, translated.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

HERE = Path(__file__).resolve().parent
PACKAGE = HERE / "padron_sig"
I18N = PACKAGE / "resources" / "i18n"
LANGUAGES = ("en",)
BUNDLED = "qgis_plugin_tools"  # a copy of the library inside a built plugin: not ours to collect


def tool(name: str) -> str:
    for candidate in (name, f"/usr/lib/qt5/bin/{name}"):
        found = shutil.which(candidate)
        if found:
            return found
    package = "pyqt5-dev-tools" if name == "pylupdate5" else "qttools5-dev-tools"
    raise SystemExit(f"Falta {name}: instale el paquete de Debian {package}.")


def sources() -> list[Path]:
    files = sorted(PACKAGE.rglob("*.py")) + sorted(PACKAGE.rglob("*.ui"))
    return [p for p in files if BUNDLED not in p.relative_to(PACKAGE).parts]


def ts_path(language: str) -> Path:
    return I18N / f"{language}.ts"


def qm_path(language: str) -> Path:
    return I18N / f"{language}.qm"


def update(ts: Path) -> None:
    """Adds the new tr() strings of the sources to ``ts`` (kept: translations; dropped: strings
    no source uses any more)."""
    ts.parent.mkdir(parents=True, exist_ok=True)
    files = [str(p.relative_to(PACKAGE)) for p in sources()]
    subprocess.run(  # noqa: S603
        [tool("pylupdate5"), "-noobsolete", *files, "-ts", str(ts.resolve())],
        cwd=PACKAGE,
        check=True,
        capture_output=True,
    )


def release(ts: Path, qm: Path) -> None:
    subprocess.run(  # noqa: S603
        [tool("lrelease"), "-silent", "-nounfinished", str(ts), "-qm", str(qm)],
        check=True,
        capture_output=True,
    )


def messages(ts: Path) -> dict[tuple[str, str], str | None]:
    """(context, source) → translation (None when unfinished) of a .ts file."""
    result: dict[tuple[str, str], str | None] = {}
    for context in ET.parse(ts).getroot().iter("context"):  # noqa: S314 - our own file
        name = context.findtext("name") or ""
        for message in context.iter("message"):
            translation = message.find("translation")
            done = translation is not None and translation.get("type") not in (
                "unfinished",
                "obsolete",
                "vanished",
            )
            text = translation.text if translation is not None else None
            result[(name, message.findtext("source") or "")] = text if done else None
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=("update", "release"))
    args = parser.parse_args(argv)
    for language in LANGUAGES:
        if args.command == "update":
            update(ts_path(language))
            missing = [k for k, v in messages(ts_path(language)).items() if not v]
            print(f"{ts_path(language).name}: {len(missing)} cadenas sin traducir")
        else:
            release(ts_path(language), qm_path(language))
            print(f"{qm_path(language)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
