"""The installable zip: one padron_sig/ folder, no caches, and the plugin loads from it."""

import importlib
import subprocess
import sys
import zipfile
from pathlib import Path

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
        plugin.unload()
    finally:
        sys.path.remove(str(tmp_path / "plugins"))
        for name in [k for k in sys.modules if k == "padron_sig" or k.startswith("padron_sig.")]:
            del sys.modules[name]
        sys.modules.update(saved)
