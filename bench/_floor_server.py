"""The throughput floor: the standard library's threading HTTP server with HTTP/1.1 keep-alive
(the same server stack as the emulator, same listen backlog), answering every POST at once with
a fixed JSON body the size of a token response. No signature check, no token, no RSA: what is
left is the cost of Python's HTTP server itself.

    python bench/_floor_server.py      # prints its base URL on the first line, serves until killed
"""

from __future__ import annotations

import json
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

BODY = json.dumps(
    {
        "access_token": "snd-id-con-a-" + "A" * 64,
        "token_type": "Bearer",
        "expires_in": 86400,
        "refresh_token": "snd-id-con-r-" + "R" * 64,
        "id_token": "e" * 900,  # an RS256 id_token with a few claims is about this long
    }
).encode()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: object) -> None:
        """Silent, like `emulator --quiet`."""

    def do_POST(self) -> None:  # the stdlib names it
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(BODY)))
        self.end_headers()
        self.wfile.write(BODY)


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128


def main() -> None:
    server = Server(("127.0.0.1", 0), Handler)
    print(f"http://127.0.0.1:{server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
