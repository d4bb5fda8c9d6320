"""One log line per request, with anything secret masked."""

from __future__ import annotations

import sys
import threading
from datetime import UTC, datetime
from typing import TextIO
from urllib.parse import parse_qsl, quote, urlsplit

# Query parameters whose values are secrets or bearer-like: never written out in full.
_MASKED_QUERY = frozenset(
    {"code", "state", "code_challenge", "nonce", "login_hint", "access_token", "refresh_token"}
)
_MAX_FIELD = 300


def mask(value: str) -> str:
    """First 6 and last 4 characters, enough to tell two values apart in a log."""
    if len(value) <= 12:
        return "…"
    return printable(value[:6]) + "…" + printable(value[-4:])


def printable(text: str, limit: int = _MAX_FIELD) -> str:
    """Printable ASCII (and the mask's "…"), the rest escaped, length capped: one safe line."""
    shown = "".join(
        ch if 0x20 <= ord(ch) < 0x7F or ch == "…" else ascii(ch)[1:-1] for ch in text[:limit]
    )
    return shown + ("…" if len(text) > limit else "")


def masked_target(target: str) -> str:
    parts = urlsplit(target)
    if not parts.query:
        return printable(parts.path)
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    # Re-quoted after parsing, so a value's spaces can't split the log line's fields.
    query = "&".join(
        f"{quote(key, safe='')}="
        + (mask(value) if key in _MASKED_QUERY else quote(value, safe="/:@,"))
        for key, value in pairs
    )
    return printable(f"{parts.path}?{query}")


class RequestLogger:
    def __init__(self, stream: TextIO | None, *, enabled: bool) -> None:
        # None means sys.stderr, looked up per line so a redirected stderr is honoured.
        self._stream = stream
        self._enabled = enabled
        self._lock = threading.Lock()  # whole lines, never interleaved between threads

    def line(
        self,
        method: str,
        target: str,
        status: int | str,
        duration_ms: float,
        facts: dict[str, str],
    ) -> None:
        if not self._enabled:
            return
        stamp = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        extra = "".join(f" {key}={printable(value, 80)}" for key, value in facts.items())
        text = (
            f"{stamp} {printable(method, 20) or '-'} {masked_target(target) or '-'} "
            f"{status} {duration_ms:.1f}ms{extra}\n"
        )
        with self._lock:
            try:
                self._write(text)
            except UnicodeEncodeError:
                self._write(text.replace("…", "..."))  # a stream that can't even take "…"

    def _write(self, text: str) -> None:
        stream = self._stream if self._stream is not None else sys.stderr
        try:
            stream.write(text)
            stream.flush()
        except UnicodeEncodeError:
            raise
        except (OSError, ValueError):
            # A closed or broken log stream must not break serving requests.
            pass
