"""The plugin loads and unloads cleanly in headless QGIS."""

import logging

from qgis.core import QgsProject
from qgis.PyQt.QtWidgets import QToolBar


def test_load_and_unload_leave_nothing(qgis_iface, qgis_new_project, auth_ready) -> None:
    from padron_sig import layers as layer_builder
    from padron_sig.plugin import PadronSigPlugin

    main = qgis_iface.mainWindow()
    toolbars_before = set(main.findChildren(QToolBar))
    plugin = PadronSigPlugin(qgis_iface)
    plugin.initGui()
    assert [a.text() for a in plugin.actions] == [
        "Conectar…",
        "Cargar capas",
        "Inspeccionar predio",
    ]
    assert plugin.connection._preprocessor_id is not None
    from qgis.core import QgsApplication

    registry = QgsApplication.processingRegistry()
    assert registry.providerById("padron_sig") is plugin.provider
    assert plugin.provider.algorithm("descargar_cuentas") is not None
    logger = logging.getLogger("padron_sig")
    assert logger.handlers  # qgis-plugin-tools' handlers: message log, file, console
    folder = plugin.folder
    assert folder is not None and folder.is_dir()
    # a group as if layers had been loaded
    from qgis.core import QgsVectorLayer

    layer = QgsVectorLayer("Point?crs=EPSG:4326", "x", "memory")
    layer_builder.add_group(QgsProject.instance(), [layer])
    plugin.layer_ids = [layer.id()]

    plugin.unload()

    assert plugin.actions == [] and plugin.dock is None and plugin.tool is None
    assert plugin.connection._preprocessor_id is None
    assert registry.providerById("padron_sig") is None
    assert logger.handlers == []
    assert not folder.exists()
    assert QgsProject.instance().layerTreeRoot().findGroup(layer_builder.GROUP_NAME) is None
    assert QgsProject.instance().mapLayers() == {}
    from qgis.PyQt.QtCore import QCoreApplication, QEvent

    QCoreApplication.sendPostedEvents(None, QEvent.DeferredDelete)
    assert set(main.findChildren(QToolBar)) <= toolbars_before


def test_class_factory(qgis_iface) -> None:
    import padron_sig

    plugin = padron_sig.classFactory(qgis_iface)
    assert plugin.iface is qgis_iface
