"""The plugin: actions in a toolbar and a menu, connect dialog, load layers, inspect tool, dock,
Processing provider. ``unload()`` removes all of it: actions, toolbar, dock, map tool, layers and
group, the Processing provider, the request preprocessor, the translator, the log handlers and
the downloaded files."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

from qgis.core import (
    Qgis,
    QgsApplication,
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsProject,
)
from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtGui import QIcon
from qgis.PyQt.QtWidgets import QAction

from padron_sig import layers as layer_builder
from padron_sig.connection import Connection, Session
from padron_sig.core import api, inspect
from padron_sig.core.errors import Failure, Kind, user_message
from padron_sig.dialog import ConnectDialog
from padron_sig.dock import InspectDock
from padron_sig.i18n import (
    LOGGER,
    PLUGIN_NAME,
    install_translator,
    remove_translator,
    setup_logging,
    tr,
    translate,
)
from padron_sig.maptool import InspectParcelTool
from padron_sig.processing_provider import PadronSigProvider
from padron_sig.tasks import ApiTask, InspectTask, LoadLayersTask

WGS84 = QgsCoordinateReferenceSystem("EPSG:4326")
MENU = "&Padrón SIG"


class PadronSigPlugin:
    def __init__(self, iface: Any) -> None:
        self.iface = iface
        self.connection = Connection()
        self.actions: list[QAction] = []
        self.toolbar: Any = None
        self.dock: InspectDock | None = None
        self.tool: InspectParcelTool | None = None
        self.dialog: ConnectDialog | None = None
        self.tasks: list[ApiTask] = []
        self.layer_ids: list[str] = []
        self.folder: Path | None = None
        self.teardown_logging: Any = None
        self.translator: Any = None
        self.provider: PadronSigProvider | None = None
        self.inspect_task: InspectTask | None = None

    # -- life cycle -----------------------------------------------------------------------------
    def initProcessing(self) -> None:
        if self.provider is None:
            self.provider = PadronSigProvider(self.connection)
            QgsApplication.processingRegistry().addProvider(self.provider)

    def initGui(self) -> None:
        self.translator = install_translator()
        self.teardown_logging = setup_logging(self.iface.messageBar())
        self.connection.install()
        self.initProcessing()
        self.folder = Path(tempfile.mkdtemp(prefix="padron_sig_"))
        icon = QIcon(str(Path(__file__).with_name("icon.svg")))
        self.toolbar = self.iface.addToolBar(PLUGIN_NAME)
        self.toolbar.setObjectName("PadronSigToolbar")
        self.connect_action = self._action(icon, tr("Conectar…"), self.show_connect)
        self.load_action = self._action(icon, tr("Cargar capas"), self.load_layers)
        self.inspect_action = self._action(icon, tr("Inspeccionar predio"), self.activate_tool)
        self.inspect_action.setCheckable(True)
        self.dock = InspectDock(self.iface.mainWindow())
        self.iface.addDockWidget(Qt.RightDockWidgetArea, self.dock)
        self.dock.hide()
        self.tool = InspectParcelTool(self.iface.mapCanvas(), self.inspect_point)
        self.tool.setAction(self.inspect_action)

    def _action(self, icon: QIcon, text: str, slot: Any) -> QAction:
        action = QAction(icon, text, self.iface.mainWindow())
        action.triggered.connect(slot)
        self.toolbar.addAction(action)
        self.iface.addPluginToWebMenu(MENU, action)
        self.actions.append(action)
        return action

    def unload(self) -> None:
        for task in list(self.tasks):
            if task.status() not in (task.Complete, task.Terminated):
                task.cancel()
        self.tasks.clear()
        self.inspect_task = None
        canvas = self.iface.mapCanvas()
        if self.tool is not None:
            if canvas is not None and canvas.mapTool() is self.tool:
                canvas.unsetMapTool(self.tool)
            self.tool.deleteLater()
            self.tool = None
        for action in self.actions:
            self.iface.removePluginWebMenu(MENU, action)
            if self.toolbar is not None:
                self.toolbar.removeAction(action)
            action.deleteLater()
        self.actions.clear()
        if self.toolbar is not None:
            self.toolbar.deleteLater()
            self.toolbar = None
        if self.dock is not None:
            self.iface.removeDockWidget(self.dock)
            self.dock.deleteLater()
            self.dock = None
        if self.dialog is not None:
            self.dialog.close()
            self.dialog.deleteLater()
            self.dialog = None
        self.remove_layers()
        if self.provider is not None:
            QgsApplication.processingRegistry().removeProvider(self.provider)
            self.provider = None
        self.connection.uninstall()
        self.connection.set_session(None)
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None
        if self.teardown_logging is not None:
            self.teardown_logging()
            self.teardown_logging = None
        remove_translator(self.translator)
        self.translator = None

    def remove_layers(self) -> None:
        project = QgsProject.instance()
        root = project.layerTreeRoot()
        group = root.findGroup(layer_builder.GROUP_NAME)
        if group is not None:
            root.removeChildNode(group)
        present = [lid for lid in self.layer_ids if project.mapLayer(lid) is not None]
        if present:
            project.removeMapLayers(present)
        self.layer_ids.clear()

    # -- messages -------------------------------------------------------------------------------
    def message(self, text: str, level: int = Qgis.Info) -> None:
        self.iface.messageBar().pushMessage(PLUGIN_NAME, text, level=level, duration=8)
        LOGGER.info(text)

    def fail(self, failure: Failure | None) -> None:
        failure = failure or Failure(Kind.BAD_ANSWER)
        level = Qgis.Info if failure.kind is Kind.CANCELLED else Qgis.Warning
        self.message(user_message(failure, translate), level)

    def _run(self, task: ApiTask) -> None:
        self.tasks.append(task)
        QgsApplication.taskManager().addTask(task)

    def _done(self, task: ApiTask) -> None:
        if task in self.tasks:
            self.tasks.remove(task)

    def session(self) -> Session | None:
        session = self.connection.session or self.connection.restore()
        if session is None:
            self.fail(Failure(Kind.NOT_CONNECTED))
        return session

    # -- connect --------------------------------------------------------------------------------
    def show_connect(self) -> None:
        if self.dialog is None:
            self.dialog = ConnectDialog(
                self.connection, self.iface.mainWindow(), on_connected=self._connected
            )
        self.dialog.show()
        self.dialog.raise_()

    def _connected(self, session: Session) -> None:
        self.message(
            tr("Conectado como {user} a {server}.", user=session.username, server=session.server),
            Qgis.Success,
        )

    # -- load layers ----------------------------------------------------------------------------
    def canvas_bbox(self) -> str | None:
        canvas = self.iface.mapCanvas()
        extent = canvas.extent() if canvas is not None else None
        if extent is None or extent.isEmpty():
            return None
        crs = canvas.mapSettings().destinationCrs()
        if not crs.isValid():
            return None
        rect = QgsCoordinateTransform(crs, WGS84, QgsProject.instance()).transformBoundingBox(
            extent
        )
        if rect.width() > 5 or rect.height() > 5:  # whole world: let the server decide
            return None
        return api.format_bbox(rect.xMinimum(), rect.yMinimum(), rect.xMaximum(), rect.yMaximum())

    def load_layers(self, bbox: str | None = None) -> LoadLayersTask | None:
        session = self.session()
        if session is None or self.folder is None:
            return None
        task = LoadLayersTask(
            session.server, bbox or self.canvas_bbox(), self.folder, self._layers_loaded
        )
        self._run(task)
        return task

    def _layers_loaded(self, task: LoadLayersTask) -> None:
        self._done(task)
        if task.failure is not None:
            self.fail(task.failure)
            return
        self.remove_layers()
        built, problems = [], []
        for layer_def, qml, geojson, truncated in task.result:
            map_layer = layer_builder.build_layer(layer_def, task.server, qml, geojson)
            if not map_layer.isValid():
                problems.append(layer_def.title)
                continue
            if map_layer.customProperty("padron_sig/style_error"):
                problems.append(tr("{layer} (estilo)", layer=layer_def.title))
            if truncated:
                self.message(
                    tr(
                        "{layer}: se cargaron los primeros {count} elementos; acerque el mapa.",
                        layer=layer_def.title,
                        count=api.MAX_FEATURES,
                    ),
                    Qgis.Warning,
                )
            built.append(map_layer)
        layer_builder.add_group(QgsProject.instance(), built)
        self.layer_ids = [m.id() for m in built]
        if problems:
            self.message(tr("No se cargaron: {layers}", layers=", ".join(problems)), Qgis.Warning)
        else:
            self.message(tr("{count} capas cargadas.", count=len(built)), Qgis.Success)

    # -- inspect --------------------------------------------------------------------------------
    def activate_tool(self) -> None:
        if self.tool is not None:
            self.iface.mapCanvas().setMapTool(self.tool)

    def inspect_point(self, lon: float, lat: float) -> InspectTask | None:
        """The parcel at lon/lat, asked to the API in a task; the dock shows it when it comes."""
        session = self.session()
        if session is None:
            return None
        if self.dock is not None:
            self.dock.show()
            self.dock.raise_()
            self.dock.show_searching()
        if self.inspect_task is not None and self.inspect_task in self.tasks:
            self.inspect_task.cancel()  # a newer click wins
        task = InspectTask(session.server, lon, lat, self._inspected)
        self.inspect_task = task
        self._run(task)
        return task

    def _inspected(self, task: InspectTask) -> None:
        self._done(task)
        if self.dock is None or task is not self.inspect_task:
            return  # unloaded, or an earlier click answered after a later one
        if task.failure is not None:
            self.dock.show_error(user_message(task.failure, translate))
            return
        parcel = task.result["parcel"]
        if parcel is None:
            self.dock.parcel_label.setText(tr("No hay un predio de Padrón SIG en ese punto."))
            return
        self.dock.show_parcel(inspect.parcel_attributes(parcel))
        accounts = inspect.parcel_accounts(parcel.get("id"), task.result["accounts"], translate)
        meters = inspect.parcel_meters(
            [a.account_id for a in accounts], task.result["meters"], translate
        )
        self.dock.show_rows(accounts, meters)
