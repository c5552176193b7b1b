"""Dock (resources/ui/inspect_dock.ui) with one parcel: its data, its accounts and its meters."""

from __future__ import annotations

from typing import Any

from qgis.PyQt.QtWidgets import QDockWidget, QTableWidget, QTableWidgetItem, QWidget

from padron_sig.core import inspect
from padron_sig.core.texts import QT_TR_NOOP
from padron_sig.i18n import load_ui, tr, translate

FORM_CLASS = load_ui("inspect_dock.ui")

PARCEL_FIELDS = (
    ("cadastral_key", QT_TR_NOOP("Clave catastral")),
    ("street", QT_TR_NOOP("Calle")),
    ("number", QT_TR_NOOP("Número")),
    ("colonia", QT_TR_NOOP("Colonia")),
    ("land_use", QT_TR_NOOP("Uso de suelo")),
    ("status", QT_TR_NOOP("Estatus")),
    ("balance", QT_TR_NOOP("Adeudo")),
    ("months_overdue", QT_TR_NOOP("Meses de adeudo")),
)


class InspectDock(QDockWidget, FORM_CLASS):  # type: ignore[valid-type,misc]
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setupUi(self)
        self.setObjectName("PadronSigInspectDock")

    def show_parcel(self, attributes: dict[str, Any]) -> None:
        lines = []
        for key, label in PARCEL_FIELDS:
            value = attributes.get(key)
            if key == "balance":
                value = inspect.money(value)
            elif key == "status":
                value = inspect.label(inspect.STATUS_LABELS, value, translate)
            else:
                value = inspect.text(value)
            lines.append(f"<b>{translate(label)}:</b> {value}")
        self.parcel_label.setText("<br>".join(lines))
        self.accounts_table.setRowCount(0)
        self.meters_table.setRowCount(0)
        self.status_label.setText(tr("Consultando cuentas y medidores…"))

    def show_searching(self) -> None:
        self.parcel_label.setText(tr("Buscando el predio…"))
        self.accounts_table.setRowCount(0)
        self.meters_table.setRowCount(0)
        self.status_label.setText("")

    def show_error(self, message: str) -> None:
        self.status_label.setText(message)

    def show_rows(self, accounts: list[inspect.AccountRow], meters: list[inspect.MeterRow]) -> None:
        self._fill(self.accounts_table, [inspect.account_cells(r) for r in accounts])
        self._fill(self.meters_table, [inspect.meter_cells(r) for r in meters])
        self.status_label.setText(
            tr(
                "{accounts} cuentas, {meters} medidores.",
                accounts=len(accounts),
                meters=len(meters),
            )
        )

    @staticmethod
    def _fill(table: QTableWidget, rows: list[tuple[str, ...]]) -> None:
        table.setRowCount(len(rows))
        for r, cells in enumerate(rows):
            for c, value in enumerate(cells):
                table.setItem(r, c, QTableWidgetItem(value))
        table.resizeColumnsToContents()

    @staticmethod
    def headers(table: QTableWidget) -> list[str]:
        return [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]

    def cell_texts(self, table: QTableWidget) -> list[list[str]]:
        return [
            [
                table.item(r, c).text() if table.item(r, c) else ""
                for c in range(table.columnCount())
            ]
            for r in range(table.rowCount())
        ]
