"""A live Padrón SIG server for the plugin tests: the application under its own server
(``padron-admin serve``, as ``make demo`` runs it) over real HTTP on a real PostGIS database
of its own (``padron_plugin_test`` on the server of $DATABASE_URL), with a small demo town
and one user per role. Runs the backend's own .venv; nothing of Django is imported here."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[2]
ADMIN = ROOT / ".venv" / "bin" / "padron-admin"
DB_NAME = "padron_plugin_test"
PASSWORD = "prueba-complemento-2026"
ACCOUNTS = 300


def test_database_url() -> str:
    """$PADRON_PLUGIN_DATABASE_URL, else $DATABASE_URL (var/env) with the database renamed."""
    explicit = os.environ.get("PADRON_PLUGIN_DATABASE_URL")
    if explicit:
        return explicit
    base = os.environ.get("DATABASE_URL")
    if not base:
        env_file = ROOT / "var" / "env"
        if env_file.is_file():
            for line in env_file.read_text().splitlines():
                if line.startswith("export DATABASE_URL="):
                    base = line.split("=", 1)[1].strip().strip("'\"")
    base = base or "postgis://postgres@127.0.0.1:5432/padron"
    parts = urlsplit(base)
    return urlunsplit((parts.scheme, parts.netloc, "/" + DB_NAME, parts.query, ""))


def psql_url(url: str, database: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(("postgresql", parts.netloc, "/" + database, parts.query, ""))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Backend:
    url: str
    process: subprocess.Popen
    log: Path

    def token(self, username: str) -> str:
        body = f"username={username}&password={PASSWORD}".encode()
        with urllib.request.urlopen(f"{self.url}/api/v1/auth/token/", body, timeout=10) as r:  # noqa: S310
            return json.loads(r.read())["token"]

    def get_json(self, path: str, username: str = "jefe") -> dict:
        request = urllib.request.Request(  # noqa: S310
            self.url + path, headers={"Authorization": "Token " + self.token(username)}
        )
        with urllib.request.urlopen(request, timeout=30) as r:  # noqa: S310
            return json.loads(r.read())

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def run(args: list[str], env: dict[str, str], log: Path) -> None:
    with log.open("a") as out:
        subprocess.run(args, env=env, cwd=ROOT, check=True, stdout=out, stderr=subprocess.STDOUT)  # noqa: S603


def start_backend(workdir: Path) -> Backend:
    if not ADMIN.exists():
        raise RuntimeError(f"{ADMIN} no existe: corra primero `make setup`.")
    db_url = test_database_url()
    env = {**os.environ, "DATABASE_URL": db_url, "DEMO_PASSWORD": PASSWORD, "PADRON_DEBUG": "1"}
    env.pop("QT_QPA_PLATFORM", None)
    log = workdir / "backend.log"
    maintenance = psql_url(db_url, "postgres")
    run(
        ["psql", "-q", maintenance, "-c", f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)"],
        env,
        log,
    )
    run(["psql", "-q", maintenance, "-c", f"CREATE DATABASE {DB_NAME}"], env, log)
    run([str(ADMIN), "migrate", "--noinput", "-v", "0"], env, log)
    run(
        [
            str(ADMIN),
            "load_demo",
            "--accounts",
            str(ACCOUNTS),
            "--truth-dir",
            str(workdir / "truth"),
        ],
        env,
        log,
    )
    run([str(ADMIN), "create_demo_users"], env, log)
    port = free_port()
    out = log.open("a")
    process = subprocess.Popen(  # noqa: S603
        [str(ADMIN), "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "2"],
        env=env,
        cwd=ROOT,
        stdout=out,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"El servidor de prueba terminó; vea {log}")
        try:
            with urllib.request.urlopen(url + "/api/v1/health", timeout=2):  # noqa: S310
                return Backend(url, process, log)
        except (urllib.error.URLError, OSError):
            time.sleep(0.3)
    process.terminate()
    raise RuntimeError(f"El servidor de prueba no respondió; vea {log}")


@contextmanager
def slow_relay(target: str, delay: float) -> Iterator[str]:
    """A real HTTP relay in front of ``target`` that answers every request ``delay`` seconds
    late, as a distant server would: a load that a fast machine finishes in milliseconds then
    lasts long enough for a test to watch the interface during it. Yields the relay's URL."""

    class Relay(BaseHTTPRequestHandler):
        def relay(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            headers = {
                k: v for k, v in self.headers.items() if k.lower() not in {"host", "connection"}
            }
            request = urllib.request.Request(  # noqa: S310
                target + self.path, data=body, headers=headers, method=self.command
            )
            time.sleep(delay)
            try:
                with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310
                    status, answer_headers, payload = answer.status, answer.headers, answer.read()
            except urllib.error.HTTPError as refused:
                status, answer_headers, payload = refused.code, refused.headers, refused.read()
            self.send_response(status)
            for name, value in answer_headers.items():
                if name.lower() not in {"connection", "transfer-encoding", "content-length"}:
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = relay

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Relay)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
