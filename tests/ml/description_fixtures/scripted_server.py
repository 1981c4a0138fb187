"""A local HTTP server that answers each request with the next scripted response.

The Bedrock and OpenAI-compatible clients talk to it over real HTTP, exactly as they talk to
the real endpoints; the tests script the wire answers (JSON bodies, status codes, headers,
delays) and read back what the clients sent.
"""

from __future__ import annotations

import json
import queue
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class ScriptedResponse:
    status: int = 200
    body: bytes | dict[str, Any] = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay_seconds: float = 0.0

    def encoded(self) -> tuple[bytes, str]:
        if isinstance(self.body, dict):
            return json.dumps(self.body).encode(), "application/json"
        return self.body, "text/plain"


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


class ScriptedServer:
    def __init__(self) -> None:
        self.requests: list[RecordedRequest] = []
        self._responses: queue.Queue[ScriptedResponse] = queue.Queue()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._httpd.daemon_threads = True

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def script(self, *responses: ScriptedResponse) -> None:
        for response in responses:
            self._responses.put(response)

    def _next(self) -> ScriptedResponse:
        try:
            return self._responses.get_nowait()
        except queue.Empty:
            return ScriptedResponse(500, {"message": "no scripted response left"})

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                server.requests.append(
                    RecordedRequest(
                        method="POST",
                        path=self.path,
                        headers={k.lower(): v for k, v in self.headers.items()},
                        body=self.rfile.read(length),
                    )
                )
                response = server._next()
                time.sleep(response.delay_seconds)
                body, content_type = response.encoded()
                try:
                    self.send_response(response.status)
                    self.send_header("Content-Type", content_type)
                    self.send_header("Content-Length", str(len(body)))
                    for name, value in response.headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client timed out and left, which is what a delay tests

            def log_message(self, format: str, *args: Any) -> None:
                return

        return Handler

    @contextmanager
    def running(self) -> Iterator[ScriptedServer]:
        thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        thread.start()
        try:
            yield self
        finally:
            self._httpd.shutdown()
            self._httpd.server_close()
            thread.join(timeout=5)
