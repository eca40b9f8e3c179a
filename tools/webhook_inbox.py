"""A chat's webhook on loopback: records every message a custom-webhook notification block posts
(JSON with a `text` field), with when it arrived. Used by the e2e alert test and the status-pass
bench; nothing here leaves 127.0.0.1.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class WebhookInbox:
    def __init__(self) -> None:
        self.arrived: list[tuple[float, str]] = []  # (epoch seconds, text)
        inbox = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                inbox.arrived.append((time.time(), json.loads(body)["text"]))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def messages(self) -> list[str]:
        return [text for _, text in self.arrived]

    def wait_for(self, n: int, timeout: float = 90) -> list[str]:
        """Every message so far, once there are `n` or `timeout` seconds have passed."""
        deadline = time.monotonic() + timeout
        while len(self.arrived) < n and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.messages

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
