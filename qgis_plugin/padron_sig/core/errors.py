"""What went wrong, in words a JUMAPAC user can act on (Spanish), never a traceback.

The QGIS side classifies a failed request into a ``Failure`` (network kind from the reply's error
code, HTTP status, body); ``user_message`` turns it into the message shown in the bar or dialog."""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import Enum


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


def user_message(failure: Failure) -> str:
    server = failure.server or "el servidor"
    if failure.kind is Kind.UNREACHABLE:
        return (
            f"No se pudo conectar con {server}. Revise la dirección del servidor y su conexión "
            "a internet."
        )
    if failure.kind is Kind.TIMEOUT:
        return f"{server} no respondió a tiempo. Intente de nuevo en unos minutos."
    if failure.kind is Kind.SSL:
        return f"La conexión segura con {server} falló (certificado no válido)."
    if failure.kind is Kind.CANCELLED:
        return "Operación cancelada."
    if failure.kind is Kind.NOT_CONNECTED:
        return "No hay sesión con el servidor. Use «Conectar» e ingrese su usuario y contraseña."
    if failure.kind is Kind.BAD_ANSWER:
        return (
            f"{server} respondió, pero no como la API de Padrón SIG. Revise la dirección del "
            "servidor."
        )
    status = failure.status or 0
    if failure.during_login and status in (400, 401):
        return "Usuario o contraseña incorrectos."
    if status == 401:
        return "La sesión expiró o el token ya no es válido. Use «Conectar» para ingresar de nuevo."
    if status == 403:
        return "Su usuario no tiene un rol con permiso para esta información."
    if status == 404:
        return f"{server} no tiene esta información (404). Revise la dirección del servidor."
    if status == 400:
        detail = server_detail(failure.body)
        return "Solicitud no válida" + (f": {detail}" if detail else ".")
    if status == 429:
        return "Demasiadas solicitudes; espere un momento e intente de nuevo."
    if status >= 500:
        return f"Error en {server} ({status}). Intente más tarde o avise al administrador."
    return f"Respuesta inesperada de {server} (HTTP {status})."
