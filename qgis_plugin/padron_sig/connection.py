"""The connection to one Padrón SIG server: its URL and username in the plugin's settings
(qgis-plugin-tools' ``get_setting``/``set_setting``, under ``PadrónSIG/``), the token in
the QGIS authentication database (never in plain settings), and a request preprocessor that adds
``Authorization: Token …`` to every request to that server — layers, tiles and the plugin's own."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from qgis.core import QgsApplication, QgsAuthMethodConfig, QgsNetworkAccessManager
from qgis.PyQt.QtCore import QUrl
from qgis.PyQt.QtNetwork import QNetworkRequest

from padron_sig.core import api
from padron_sig.i18n import get_setting, set_setting

KEY_SERVER = "server_url"
KEY_USERNAME = "username"
KEY_AUTHCFG = "authcfg"
AUTH_CONFIG_NAME = "Padrón SIG"
# A method every QGIS has; the plugin reads the token back itself and never hands the config to
# a provider, so its basic-auth meaning is never used.
AUTH_METHOD = "Basic"


class AuthStoreError(RuntimeError):
    """The authentication database refused to store (e.g. master password not given)."""


@dataclass(frozen=True)
class Session:
    server: str
    username: str
    token: str


class Connection:
    """Current session and the preprocessor that attaches its token."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._session: Session | None = None
        self._preprocessor_id: str | None = None

    # -- preprocessor: called from any thread, for every QGIS network request ---------------
    def install(self) -> None:
        if self._preprocessor_id is None:
            self._preprocessor_id = QgsNetworkAccessManager.setRequestPreprocessor(self._preprocess)

    def uninstall(self) -> None:
        if self._preprocessor_id is not None:
            QgsNetworkAccessManager.removeRequestPreprocessor(self._preprocessor_id)
            self._preprocessor_id = None

    def _preprocess(self, request: QNetworkRequest) -> None:
        with self._lock:
            session = self._session
        if session is None:
            return
        url = request.url().toString(QUrl.FullyEncoded)
        if api.same_server(url, session.server):
            request.setRawHeader(b"Authorization", api.authorization_header(session.token))

    # -- session --------------------------------------------------------------------------------
    @property
    def session(self) -> Session | None:
        with self._lock:
            return self._session

    def set_session(self, session: Session | None) -> None:
        with self._lock:
            self._session = session

    def store(self, session: Session) -> str:
        """Keeps the token in the auth database and the server/user in settings; returns the
        authcfg id. Updates the config the plugin stored before, if any."""
        manager = QgsApplication.authManager()
        authcfg = self.saved_authcfg()
        config = QgsAuthMethodConfig()
        if authcfg and authcfg in manager.configIds():
            manager.loadAuthenticationConfig(authcfg, config, True)
        config.setName(AUTH_CONFIG_NAME)
        config.setMethod(AUTH_METHOD)
        config.setUri(session.server)
        config.setConfig("username", session.username)
        config.setConfig("token", session.token)
        if config.id():
            ok = manager.updateAuthenticationConfig(config)
        else:
            ok = manager.storeAuthenticationConfig(config)
            if isinstance(ok, tuple):  # some bindings return (ok, config)
                ok, config = ok[0], ok[1] if len(ok) > 1 else config
        if not ok or not config.id():
            raise AuthStoreError(manager.masterPasswordIsSet())
        set_setting(KEY_SERVER, session.server)
        set_setting(KEY_USERNAME, session.username)
        set_setting(KEY_AUTHCFG, config.id())
        self.set_session(session)
        return config.id()

    def restore(self) -> Session | None:
        """The session stored by an earlier QGIS run, if its auth config is still there. Reading
        the auth database may ask for the master password: only on the user's first action."""
        authcfg = self.saved_authcfg()
        server = self.saved_server()
        manager = QgsApplication.authManager()
        if not authcfg or not server or authcfg not in manager.configIds():
            return None
        config = QgsAuthMethodConfig()
        manager.loadAuthenticationConfig(authcfg, config, True)
        token = config.config("token")
        if not token:
            return None
        session = Session(server, config.config("username"), token)
        self.set_session(session)
        return session

    @staticmethod
    def saved_server() -> str:
        return str(get_setting(KEY_SERVER, "", str))

    @staticmethod
    def saved_username() -> str:
        return str(get_setting(KEY_USERNAME, "", str))

    @staticmethod
    def saved_authcfg() -> str:
        return str(get_setting(KEY_AUTHCFG, "", str))
