"""Blocking requests for QgsTask workers (never call these from the main thread): through QGIS
networking, so proxies, SSL settings and the token preprocessor apply."""

from __future__ import annotations

from qgis.core import QgsBlockingNetworkRequest
from qgis.PyQt.QtCore import QUrl
from qgis.PyQt.QtNetwork import QNetworkReply, QNetworkRequest

from padron_sig.core.errors import Failure, Kind

UNREACHABLE = {
    QNetworkReply.ConnectionRefusedError,
    QNetworkReply.RemoteHostClosedError,
    QNetworkReply.HostNotFoundError,
    QNetworkReply.TemporaryNetworkFailureError,
    QNetworkReply.NetworkSessionFailedError,
    QNetworkReply.UnknownNetworkError,
    QNetworkReply.ProxyConnectionRefusedError,
    QNetworkReply.ProxyNotFoundError,
}


class RequestFailed(Exception):
    def __init__(self, failure: Failure) -> None:
        super().__init__(failure.kind.value, failure.status)
        self.failure = failure


def _request(url: str, content_type: str | None = None) -> QNetworkRequest:
    request = QNetworkRequest(QUrl(url))
    request.setRawHeader(b"Accept", b"application/json, application/geo+json, */*")
    if content_type:
        request.setHeader(QNetworkRequest.ContentTypeHeader, content_type)
    return request


def _finish(blocking: QgsBlockingNetworkRequest, code: int, server: str, login: bool) -> bytes:
    reply = blocking.reply()
    body = bytes(reply.content())
    status = reply.attribute(QNetworkRequest.HttpStatusCodeAttribute)
    status = int(status) if status else None
    if code == QgsBlockingNetworkRequest.NoError and status is not None and status < 400:
        return body
    if status is not None and status >= 400:
        raise RequestFailed(Failure(Kind.HTTP, status, body, server, login))
    if code == QgsBlockingNetworkRequest.TimeoutError:
        kind = Kind.TIMEOUT
    elif reply.error() == QNetworkReply.OperationCanceledError:
        kind = Kind.CANCELLED
    elif reply.error() == QNetworkReply.SslHandshakeFailedError:
        kind = Kind.SSL
    else:
        kind = Kind.UNREACHABLE
    raise RequestFailed(Failure(kind, status, body, server, login))


def get(url: str, server: str, feedback=None) -> bytes:
    blocking = QgsBlockingNetworkRequest()
    code = blocking.get(_request(url), True, feedback)
    return _finish(blocking, code, server, login=False)


def post_form(url: str, body: bytes, server: str, login: bool = False, feedback=None) -> bytes:
    blocking = QgsBlockingNetworkRequest()
    request = _request(url, "application/x-www-form-urlencoded")
    code = blocking.post(request, body, True, feedback)
    return _finish(blocking, code, server, login=login)
