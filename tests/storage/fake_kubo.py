"""A tiny in-process stand-in for Kubo's RPC API (add, cat, block/stat), for HTTP-boundary tests."""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


@dataclass
class Request:
    """What the fake saw: method, path, query and the multipart part(s) of an add."""

    method: str
    path: str
    query: dict[str, list[str]]
    content_type: str = ""
    content_length: int | None = None
    parts: list[tuple[str, str, bytes]] = field(default_factory=list)  # (name, filename, body)


@dataclass
class FakeKubo:
    """Answers ``add`` with the CID the table gives for the uploaded bytes (by sha256).

    ``table`` maps sha256(content) -> CID (CIDs verified against the reference importer), so the
    fake does not compute CIDs itself. ``tamper`` makes ``cat`` flip the first byte it returns.
    """

    table: dict[bytes, str]
    store: dict[str, bytes] = field(default_factory=dict)
    requests: list[Request] = field(default_factory=list)
    tamper: bool = False

    def start(self) -> str:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def _reply(self, status: int, body: bytes, kind: str = "application/json") -> None:
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _error(self, status: int, message: str) -> None:
                body = json.dumps({"Message": message, "Code": 0, "Type": "error"}).encode()
                self._reply(status, body)

            def do_GET(self) -> None:
                url = urlsplit(self.path)
                fake.requests.append(Request("GET", url.path, parse_qs(url.query)))
                self._reply(405, b"405 - Method Not Allowed\n", "text/plain")

            def do_POST(self) -> None:
                url = urlsplit(self.path)
                length = self.headers.get("Content-Length")
                body = self.rfile.read(int(length)) if length else b""
                req = Request(
                    "POST", url.path, parse_qs(url.query), self.headers.get("Content-Type", ""),
                    int(length) if length else None,
                )
                fake.requests.append(req)
                arg = req.query.get("arg", [""])[0]
                if url.path == "/api/v0/add":
                    req.parts = _multipart(req.content_type, body)
                    if not req.parts:
                        return self._error(400, "file argument 'path' is required")
                    name, filename, content = req.parts[0]
                    cid = fake.table.get(hashlib.sha256(content).digest())
                    if cid is None:
                        return self._error(500, "fake kubo: content not in the verified table")
                    fake.store[cid] = content
                    line = {"Name": filename, "Hash": cid, "Size": str(len(content))}
                    return self._reply(200, (json.dumps(line) + "\n").encode())
                if url.path == "/api/v0/cat":
                    if arg not in fake.store:
                        return self._error(500, "block was not found locally (offline): ipld: could not find " + arg)
                    data = fake.store[arg]
                    if fake.tamper and data:
                        data = bytes([data[0] ^ 1]) + data[1:]
                    return self._reply(200, data, "text/plain")
                if url.path == "/api/v0/block/stat":
                    if arg not in fake.store:
                        return self._error(500, "block was not found locally (offline): ipld: could not find " + arg)
                    return self._reply(200, json.dumps({"Key": arg, "Size": 1}).encode())
                return self._error(404, f"unknown command {url.path}")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _multipart(content_type: str, body: bytes) -> list[tuple[str, str, bytes]]:
    if "boundary=" not in content_type:
        return []
    boundary = content_type.split("boundary=", 1)[1].strip('"').encode()
    parts = []
    for chunk in body.split(b"--" + boundary)[1:]:
        if chunk.startswith(b"--"):
            break
        head, _, content = chunk[2:].partition(b"\r\n\r\n")
        content = content[:-2] if content.endswith(b"\r\n") else content
        disposition = {}
        for line in head.decode().split("\r\n"):
            if line.lower().startswith("content-disposition:"):
                for item in line.split(";")[1:]:
                    key, _, value = item.strip().partition("=")
                    disposition[key] = value.strip('"')
        parts.append((disposition.get("name", ""), disposition.get("filename", ""), content))
    return parts
