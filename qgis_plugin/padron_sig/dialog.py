"""Connect dialog: server URL, user and password → token in the QGIS auth database."""

from __future__ import annotations

from collections.abc import Callable

from qgis.core import QgsApplication
from qgis.PyQt.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from padron_sig.connection import AuthStoreError, Connection, Session
from padron_sig.core import api
from padron_sig.core.errors import user_message
from padron_sig.i18n import tr
from padron_sig.tasks import LoginTask


class ConnectDialog(QDialog):
    def __init__(
        self,
        connection: Connection,
        parent: QWidget | None = None,
        on_connected: Callable[[Session], None] | None = None,
    ) -> None:
        super().__init__(parent)
        self.connection = connection
        self.on_connected = on_connected
        self.task: LoginTask | None = None
        self.setWindowTitle(tr("Conectar con Padrón SIG"))
        self.server_edit = QLineEdit(connection.saved_server())
        self.server_edit.setPlaceholderText("https://padron.ejemplo.gob.mx")
        self.username_edit = QLineEdit(connection.saved_username())
        self.password_edit = QLineEdit()
        self.password_edit.setEchoMode(QLineEdit.Password)
        self.status_label = QLabel("")
        self.status_label.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        self.connect_button = self.buttons.button(QDialogButtonBox.Ok)
        self.connect_button.setText(tr("Conectar"))
        self.buttons.button(QDialogButtonBox.Cancel).setText(tr("Cerrar"))
        self.buttons.accepted.connect(self.start_login)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow(tr("Servidor"), self.server_edit)
        form.addRow(tr("Usuario"), self.username_edit)
        form.addRow(tr("Contraseña"), self.password_edit)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.status_label)
        layout.addWidget(self.buttons)
        self.connected = False

    def show_status(self, text: str) -> None:
        self.status_label.setText(text)

    def start_login(self) -> None:
        try:
            server = api.normalize_server_url(self.server_edit.text())
        except api.InvalidServerUrl:
            self.show_status(
                tr("Escriba la dirección del servidor, p. ej. https://padron.ejemplo.gob.mx")
            )
            return
        username = self.username_edit.text().strip()
        password = self.password_edit.text()
        if not username or not password:
            self.show_status(tr("Escriba su usuario y su contraseña."))
            return
        self.connect_button.setEnabled(False)
        self.connected = False
        self.show_status(tr("Conectando con {}…", server))
        self.task = LoginTask(server, username, password, self._login_done)
        QgsApplication.taskManager().addTask(self.task)

    def _login_done(self, task: LoginTask) -> None:
        self.task = None
        self.connect_button.setEnabled(True)
        if task.failure is not None or not task.result:
            self.show_status(tr(user_message(task.failure)) if task.failure else tr("Error"))
            return
        session = Session(task.server, task.username, task.result)
        try:
            self.connection.store(session)
        except AuthStoreError:
            self.show_status(
                tr(
                    "No se pudo guardar el token en la base de autenticación de QGIS. "
                    "Ingrese la contraseña maestra de QGIS e intente de nuevo."
                )
            )
            return
        self.password_edit.clear()
        self.connected = True
        self.show_status(tr("Conectado como {} a {}.", session.username, session.server))
        if self.on_connected is not None:
            self.on_connected(session)
