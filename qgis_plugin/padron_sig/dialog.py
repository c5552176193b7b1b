"""Connect dialog (resources/ui/connect_dialog.ui): server URL, user and password → token in the
QGIS authentication database."""

from __future__ import annotations

from collections.abc import Callable

from qgis.core import QgsApplication
from qgis.PyQt.QtWidgets import QDialog, QDialogButtonBox, QWidget

from padron_sig.connection import AuthStoreError, Connection, Session
from padron_sig.core import api
from padron_sig.core.errors import user_message
from padron_sig.i18n import load_ui, tr, translate
from padron_sig.tasks import LoginTask

FORM_CLASS = load_ui("connect_dialog.ui")


class ConnectDialog(QDialog, FORM_CLASS):  # type: ignore[valid-type,misc]
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
        self.setupUi(self)
        self.server_edit.setText(connection.saved_server())
        self.username_edit.setText(connection.saved_username())
        self.connect_button = self.buttons.button(QDialogButtonBox.Ok)
        self.connect_button.setText(tr("Conectar"))
        self.buttons.button(QDialogButtonBox.Cancel).setText(tr("Cerrar"))
        self.buttons.accepted.connect(self.start_login)
        self.buttons.rejected.connect(self.reject)
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
        self.show_status(tr("Conectando con {server}…", server=server))
        self.task = LoginTask(server, username, password, self._login_done)
        QgsApplication.taskManager().addTask(self.task)

    def _login_done(self, task: LoginTask) -> None:
        self.task = None
        self.connect_button.setEnabled(True)
        if task.failure is not None or not task.result:
            self.show_status(user_message(task.failure, translate) if task.failure else tr("Error"))
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
        self.show_status(
            tr("Conectado como {user} a {server}.", user=session.username, server=session.server)
        )
        if self.on_connected is not None:
            self.on_connected(session)
