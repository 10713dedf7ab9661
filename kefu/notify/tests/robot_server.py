"""A group-chat robot on 127.0.0.1 for tests: answers like WeCom, counts what it receives, and
can hold one message's request open (a slow webhook) until the test lets it go."""

import json
import re
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

NOTICE = re.compile(r"通知编号：(\d+)")


class RobotServer:
    def __init__(self, *, stall_on: str | None = None) -> None:
        self.texts: list[str] = []
        self.idempotency_keys: list[str] = []
        self.stall_on = stall_on  # hold the first request whose text contains this
        self.stalled = threading.Event()  # set when that request arrived
        self.release = threading.Event()  # set by the test to answer it
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                text = json.loads(body)["text"]["content"]
                with server._lock:
                    server.texts.append(text)
                    server.idempotency_keys.append(self.headers.get("Idempotency-Key", ""))
                    stall = server.stall_on is not None and server.stall_on in text and not server.stalled.is_set()
                    if stall:
                        server.stalled.set()
                if stall:
                    server.release.wait(60)
                try:
                    payload = json.dumps({"errcode": 0, "errmsg": "ok"}).encode()
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except OSError:
                    pass  # the sender is gone (killed mid-send)

            def log_message(self, *args) -> None:
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}/cgi-bin/webhook/send?key=test"
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    def __enter__(self) -> "RobotServer":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.release.set()
        self._httpd.shutdown()
        self._httpd.server_close()

    def count(self, needle: str) -> int:
        """How many messages received contain `needle` (an item number)."""
        with self._lock:
            return sum(needle in text for text in self.texts)

    def notices(self) -> Counter:
        """Messages received per notice number (one notice number per outbox row)."""
        with self._lock:
            return Counter(int(m.group(1)) for text in self.texts if (m := NOTICE.search(text)))
