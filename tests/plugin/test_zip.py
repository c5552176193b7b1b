"""The installable zip: one padron_sig/ folder, no caches, its own qgis-plugin-tools and the
compiled translations, and the plugin loads from it (in English too) without the pip package."""

import importlib
import subprocess
import sys
import zipfile
from pathlib import Path

from qgis.core import QgsSettings

ROOT = Path(__file__).resolve().parents[2]


def test_zip_installs_and_loads(tmp_path: Path, qgis_iface, qgis_new_project, auth_ready) -> None:
    output = tmp_path / "padron_sig.zip"
    subprocess.run(  # noqa: S603
        [sys.executable, str(ROOT / "qgis_plugin" / "build_zip.py"), "--output", str(output)],
        check=True,
        capture_output=True,
    )
    with zipfile.ZipFile(output) as archive:
        names = archive.namelist()
        assert all(n.startswith("padron_sig/") for n in names)
        assert "padron_sig/metadata.txt" in names and "padron_sig/core/api.py" in names
        assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]
        for name in (
            "padron_sig/resources/ui/connect_dialog.ui",
            "padron_sig/resources/ui/inspect_dock.ui",
            "padron_sig/resources/i18n/en.qm",
            "padron_sig/qgis_plugin_tools/LICENSE",
            "padron_sig/qgis_plugin_tools/tools/i18n.py",
            "padron_sig/qgis_plugin_tools/tools/custom_logging.py",
        ):
            assert name in names, name
        assert not [n for n in names if n.endswith(".ts") or "/infrastructure/" in n]
        archive.extractall(tmp_path / "plugins")
    saved = {
        k: v for k, v in sys.modules.items() if k == "padron_sig" or k.startswith("padron_sig.")
    }
    for name in saved:
        del sys.modules[name]
    sys.path.insert(0, str(tmp_path / "plugins"))
    try:
        package = importlib.import_module("padron_sig")
        assert package.__file__ is not None
        assert Path(package.__file__).is_relative_to(tmp_path)
        plugin = package.classFactory(qgis_iface)
        plugin.initGui()
        try:
            # qgis-plugin-tools from the zip, not from the test environment's site-packages
            bundled = sys.modules["padron_sig.qgis_plugin_tools.tools.i18n"].__file__
            assert bundled is not None and Path(bundled).is_relative_to(tmp_path)
            used = sys.modules["padron_sig.i18n"].qpt_i18n
            assert used.__name__ == "padron_sig.qgis_plugin_tools.tools.i18n"
            assert plugin.actions[0].text() == "Conectar…"
        finally:
            plugin.unload()
        QgsSettings().setValue("locale/userLocale", "en_US")
        try:
            plugin = package.classFactory(qgis_iface)
            plugin.initGui()
            try:
                assert [a.text() for a in plugin.actions] == [
                    "Connect…",
                    "Load layers",
                    "Inspect parcel",
                ]
            finally:
                plugin.unload()
        finally:
            QgsSettings().setValue("locale/userLocale", "es_MX")
    finally:
        sys.path.remove(str(tmp_path / "plugins"))
        for name in [k for k in sys.modules if k == "padron_sig" or k.startswith("padron_sig.")]:
            del sys.modules[name]
        sys.modules.update(saved)


def test_bundled_plugin_tools_version_is_the_pinned_one() -> None:
    sys.path.insert(0, str(ROOT / "qgis_plugin"))
    try:
        import build_zip
    finally:
        sys.path.remove(str(ROOT / "qgis_plugin"))
    setup = (ROOT / "gis_backend" / "deploy" / "setup_qgis.sh").read_text(encoding="utf-8")
    assert f'"qgis-plugin-tools=={build_zip.PLUGIN_TOOLS_VERSION}"' in setup
    folder = build_zip.plugin_tools()
    assert build_zip._dist_version(folder) == build_zip.PLUGIN_TOOLS_VERSION
