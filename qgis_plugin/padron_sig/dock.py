"""Dock with one parcel: its data, its accounts and its meters."""

from __future__ import annotations

from typing import Any

from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtWidgets import (
    QAbstractItemView,
    QDockWidget,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from padron_sig.core import inspect
from padron_sig.i18n import tr

PARCEL_FIELDS = (
    ("cadastral_key", "Clave catastral"),
    ("street", "Calle"),
    ("number", "Número"),
    ("colonia", "Colonia"),
    ("land_use", "Uso de suelo"),
    ("status", "Estatus"),
    ("balance", "Adeudo"),
    ("months_overdue", "Meses de adeudo"),
)


class InspectDock(QDockWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(tr("Predio (Padrón SIG)"), parent)
        self.setObjectName("PadronSigInspectDock")
        body = QWidget()
        layout = QVBoxLayout(body)
        self.parcel_label = QLabel(
            tr("Haga clic en un predio con la herramienta «Inspeccionar predio».")
        )
        self.parcel_label.setWordWrap(True)
        self.parcel_label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.accounts_table = self._table([tr(h) for h in inspect.ACCOUNT_HEADERS])
        self.meters_table = self._table([tr(h) for h in inspect.METER_HEADERS])
        self.status_label = QLabel("")
        self.status_label.setWordWrap(True)
        layout.addWidget(self.parcel_label)
        layout.addWidget(QLabel(tr("Cuentas")))
        layout.addWidget(self.accounts_table)
        layout.addWidget(QLabel(tr("Medidores")))
        layout.addWidget(self.meters_table)
        layout.addWidget(self.status_label)
        self.setWidget(body)

    @staticmethod
    def _table(headers: list[str]) -> QTableWidget:
        table = QTableWidget(0, len(headers))
        table.setHorizontalHeaderLabels(headers)
        table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        table.setSelectionBehavior(QAbstractItemView.SelectRows)
        return table

    def show_parcel(self, attributes: dict[str, Any]) -> None:
        lines = []
        for key, label in PARCEL_FIELDS:
            value = attributes.get(key)
            value = inspect.money(value) if key == "balance" else inspect.text(value)
            lines.append(f"<b>{tr(label)}:</b> {value}")
        self.parcel_label.setText("<br>".join(lines))
        self.accounts_table.setRowCount(0)
        self.meters_table.setRowCount(0)
        self.status_label.setText(tr("Consultando cuentas y medidores…"))

    def show_error(self, message: str) -> None:
        self.status_label.setText(message)

    def show_rows(self, accounts: list[inspect.AccountRow], meters: list[inspect.MeterRow]) -> None:
        self._fill(self.accounts_table, [inspect.account_cells(r) for r in accounts])
        self._fill(self.meters_table, [inspect.meter_cells(r) for r in meters])
        self.status_label.setText(tr("{} cuentas, {} medidores.", len(accounts), len(meters)))

    @staticmethod
    def _fill(table: QTableWidget, rows: list[tuple[str, ...]]) -> None:
        table.setRowCount(len(rows))
        for r, cells in enumerate(rows):
            for c, value in enumerate(cells):
                table.setItem(r, c, QTableWidgetItem(value))
        table.resizeColumnsToContents()

    def cell_texts(self, table: QTableWidget) -> list[list[str]]:
        return [
            [
                table.item(r, c).text() if table.item(r, c) else ""
                for c in range(table.columnCount())
            ]
            for r in range(table.rowCount())
        ]
