"""What went wrong, in words a JUMAPAC user can act on (Spanish), never a traceback.

The QGIS side classifies a failed request into a ``Failure`` (network kind from the reply's error
code, HTTP status, body); ``user_message`` turns it into the message shown in the bar or dialog."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

from .texts import QT_TR_NOOP, same


class Kind(Enum):
    UNREACHABLE = "unreachable"  # DNS, refused, no route, closed connection
    TIMEOUT = "timeout"
    SSL = "ssl"
    CANCELLED = "cancelled"
    HTTP = "http"  # the server answered with an error status
    BAD_ANSWER = "bad_answer"  # the server answered 2xx with something that is not the API's
    NOT_CONNECTED = "not_connected"  # no token stored for the server


@dataclass(frozen=True)
class Failure:
    kind: Kind
    status: int | None = None
    body: bytes = b""
    server: str = ""
    during_login: bool = False


def server_detail(body: bytes) -> str | None:
    """The API's own message: {"detail": …} or the first of {"field": [messages]}."""
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    if isinstance(data, dict):
        if isinstance(data.get("detail"), str):
            return data["detail"]
        for value in data.values():
            if isinstance(value, list) and value and isinstance(value[0], str):
                return value[0]
    return None


def message_template(failure: Failure) -> tuple[str, dict[str, str]]:
    """The message for a failure as a Spanish template (marked for translation) and the values
    of its ``{placeholders}``: the QGIS side shows ``tr(template, **values)``."""
    server = {"server": failure.server or "el servidor"}
    if failure.kind is Kind.UNREACHABLE:
        return (
            QT_TR_NOOP(
                "No se pudo conectar con {server}. Revise la dirección del servidor y su "
                "conexión a internet."
            ),
            server,
        )
    if failure.kind is Kind.TIMEOUT:
        return QT_TR_NOOP(
            "{server} no respondió a tiempo. Intente de nuevo en unos minutos."
        ), server
    if failure.kind is Kind.SSL:
        return QT_TR_NOOP("La conexión segura con {server} falló (certificado no válido)."), server
    if failure.kind is Kind.CANCELLED:
        return QT_TR_NOOP("Operación cancelada."), {}
    if failure.kind is Kind.NOT_CONNECTED:
        return (
            QT_TR_NOOP(
                "No hay sesión con el servidor. Use «Conectar» e ingrese su usuario y contraseña."
            ),
            {},
        )
    if failure.kind is Kind.BAD_ANSWER:
        return (
            QT_TR_NOOP(
                "{server} respondió, pero no como la API de Padrón SIG. Revise la dirección del "
                "servidor."
            ),
            server,
        )
    status = failure.status or 0
    if failure.during_login and status in (400, 401):
        return QT_TR_NOOP("Usuario o contraseña incorrectos."), {}
    if status == 401:
        return (
            QT_TR_NOOP(
                "La sesión expiró o el token ya no es válido. Use «Conectar» para ingresar de "
                "nuevo."
            ),
            {},
        )
    if status == 403:
        return QT_TR_NOOP("Su usuario no tiene un rol con permiso para esta información."), {}
    if status == 404:
        return (
            QT_TR_NOOP(
                "{server} no tiene esta información (404). Revise la dirección del servidor."
            ),
            server,
        )
    if status == 400:
        detail = server_detail(failure.body)
        if detail:
            return QT_TR_NOOP("Solicitud no válida: {detail}"), {"detail": detail}
        return QT_TR_NOOP("Solicitud no válida."), {}
    if status == 429:
        return QT_TR_NOOP("Demasiadas solicitudes; espere un momento e intente de nuevo."), {}
    if status >= 500:
        return (
            QT_TR_NOOP("Error en {server} ({status}). Intente más tarde o avise al administrador."),
            {**server, "status": str(status)},
        )
    return (
        QT_TR_NOOP("Respuesta inesperada de {server} (HTTP {status})."),
        {**server, "status": str(status)},
    )


def user_message(failure: Failure, translate: Callable[[str], str] = same) -> str:
    """The message shown for a failure; ``translate`` is the QGIS side's ``tr``."""
    template, values = message_template(failure)
    return translate(template).format(**values)
