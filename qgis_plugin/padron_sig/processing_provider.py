"""Processing provider «Padrón SIG»: the registry in models, scripts and batch runs.

«Descargar cuentas del área» writes the accounts of an extent (with their link, balance and,
for roles allowed to see them, holder) to a layer or file: a field supervisor takes them to
QField or a GeoPackage without the API at hand. It uses the plugin's connection (token from the
QGIS authentication database) and runs wherever Processing runs it, never freezing QGIS."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsFeatureSink,
    QgsProcessing,
    QgsProcessingAlgorithm,
    QgsProcessingException,
    QgsProcessingOutputNumber,
    QgsProcessingParameterEnum,
    QgsProcessingParameterExtent,
    QgsProcessingParameterFeatureSink,
    QgsProcessingProvider,
    QgsProcessingUtils,
    QgsVectorLayer,
    QgsWkbTypes,
)
from qgis.PyQt.QtGui import QIcon

from padron_sig.connection import Connection, Session
from padron_sig.core import api, inspect
from padron_sig.core.errors import Failure, Kind, user_message
from padron_sig.i18n import tr, translate
from padron_sig.network import RequestFailed, get

PROVIDER_ID = "padron_sig"
ICON = Path(__file__).with_name("icon.svg")
WGS84 = QgsCoordinateReferenceSystem("EPSG:4326")
STATUSES = tuple(inspect.STATUS_LABELS)


class DownloadAccountsAlgorithm(QgsProcessingAlgorithm):
    EXTENT = "EXTENT"
    STATUS = "STATUS"
    OUTPUT = "OUTPUT"
    COUNT = "COUNT"

    def __init__(self, connection: Connection) -> None:
        super().__init__()
        self.connection = connection
        self.session: Session | None = None

    def createInstance(self) -> DownloadAccountsAlgorithm:
        return DownloadAccountsAlgorithm(self.connection)

    def name(self) -> str:
        return "descargar_cuentas"

    def displayName(self) -> str:
        return tr("Descargar cuentas del área")

    def shortHelpString(self) -> str:
        return tr(
            "Descarga de Padrón SIG las cuentas ubicadas en la extensión elegida (todas si se deja "
            "vacía), con su estatus, tarifa, adeudo, vínculo al predio y su puntaje, a una capa o "
            "un archivo (p. ej. GeoPackage). Los nombres de titulares solo se incluyen para los "
            "roles que pueden verlos. Use antes «Conectar» del complemento."
        )

    def icon(self) -> QIcon:
        return QIcon(str(ICON))

    def initAlgorithm(self, config: dict[str, Any] | None = None) -> None:
        self.addParameter(QgsProcessingParameterExtent(self.EXTENT, tr("Área"), optional=True))
        self.addParameter(
            QgsProcessingParameterEnum(
                self.STATUS,
                tr("Solo cuentas con estatus"),
                options=[translate(inspect.STATUS_LABELS[s]) for s in STATUSES],
                allowMultiple=True,
                optional=True,
            )
        )
        self.addParameter(
            QgsProcessingParameterFeatureSink(
                self.OUTPUT, tr("Cuentas"), QgsProcessing.TypeVectorPoint
            )
        )
        self.addOutput(QgsProcessingOutputNumber(self.COUNT, tr("Cuentas descargadas")))

    def prepareAlgorithm(self, parameters: dict[str, Any], context: Any, feedback: Any) -> bool:
        """On the main thread (Processing may run processAlgorithm in a worker): the session,
        read from the QGIS authentication database if needed, which may ask for the master
        password."""
        self.session = self.connection.session or self.connection.restore()
        if self.session is None:
            raise QgsProcessingException(user_message(Failure(Kind.NOT_CONNECTED), translate))
        return True

    def processAlgorithm(self, parameters: dict[str, Any], context: Any, feedback: Any) -> dict:
        session = self.session
        if session is None:
            raise QgsProcessingException(user_message(Failure(Kind.NOT_CONNECTED), translate))
        bbox = None
        if parameters.get(self.EXTENT) not in (None, ""):
            rect = self.parameterAsExtent(parameters, self.EXTENT, context, WGS84)
            if not rect.isNull() and not rect.isEmpty():
                bbox = api.format_bbox(
                    rect.xMinimum(), rect.yMinimum(), rect.xMaximum(), rect.yMaximum()
                )
        statuses = []
        if parameters.get(self.STATUS) not in (None, "", []):  # no value: every status
            enums = self.parameterAsEnums(parameters, self.STATUS, context)
            statuses = [STATUSES[i] for i in enums]
        params: dict[str, Any] = {"bbox": bbox, "limit": api.PAGE_LIMIT}
        if statuses:
            params["status"] = ",".join(statuses)
        url: str | None = api.api_url(session.server, "accounts/", params)
        pages: list[api.FeaturePage] = []
        count = 0
        try:
            while url and not feedback.isCanceled():
                page = api.parse_feature_page(get(url, session.server))
                pages.append(page)
                count += len(page.features)
                feedback.pushInfo(tr("{count} cuentas descargadas…", count=count))
                url = page.next_url
        except RequestFailed as exc:
            raise QgsProcessingException(user_message(exc.failure, translate)) from exc
        except ValueError as exc:
            failure = Failure(Kind.BAD_ANSWER, server=session.server)
            raise QgsProcessingException(user_message(failure, translate)) from exc
        if feedback.isCanceled():
            return {}
        path = Path(QgsProcessingUtils.tempFolder()) / "padron_sig_cuentas.geojson"
        path.write_text(json.dumps(api.merge_pages(pages)), encoding="utf-8")
        # Fields as the API sends them, typed by the GeoJSON reader.
        source = QgsVectorLayer(str(path), "cuentas", "ogr")
        if not source.isValid():
            raise QgsProcessingException(tr("No se pudo leer la respuesta del servidor."))
        sink, dest_id = self.parameterAsSink(
            parameters, self.OUTPUT, context, source.fields(), QgsWkbTypes.Point, WGS84
        )
        if sink is None:
            raise QgsProcessingException(self.invalidSinkError(parameters, self.OUTPUT))
        total = max(source.featureCount(), 1)
        for index, feature in enumerate(source.getFeatures()):
            if feedback.isCanceled():
                break
            sink.addFeature(feature, QgsFeatureSink.FastInsert)
            feedback.setProgress(100 * (index + 1) / total)
        del source
        path.unlink(missing_ok=True)
        return {self.OUTPUT: dest_id, self.COUNT: count}


class PadronSigProvider(QgsProcessingProvider):
    def __init__(self, connection: Connection) -> None:
        super().__init__()
        self.connection = connection

    def id(self) -> str:
        return PROVIDER_ID

    def name(self) -> str:
        return "Padrón SIG"

    def icon(self) -> QIcon:
        return QIcon(str(ICON))

    def loadAlgorithms(self) -> None:
        self.addAlgorithm(DownloadAccountsAlgorithm(self.connection))
