"""A signed request as a POSIX-shell snippet ("Copy as curl") that never contains the secret.

The snippet reads the secret key from `SUMSUB_SECRET_KEY` and signs at run time (the signature
is only valid for a minute anyway), so it can be pasted into a ticket or a chat safely. It runs
in a subshell: when pasted into an interactive shell, a missing key stops the whole snippet
instead of just its first line, and none of its variables are left behind.
"""

from __future__ import annotations

from typing import Final
from urllib.parse import urlsplit

from idconnect_tester import vendor
from idconnect_tester.core.exchange import Exchange

SECRET_ENV_VAR: Final = "SUMSUB_SECRET_KEY"
# No apostrophe ("app token's"): bash reads a ' inside "${VAR:?word}" as opening a quote, and
# the pasted snippet would then hang waiting for its end.
MISSING_SECRET_MESSAGE: Final = f"set {SECRET_ENV_VAR} to the secret key of the app token"


def shell_quote(value: str) -> str:
    """`value` as one single-quoted word; each `'` becomes `'\\''` (close, escaped quote, open).

    Unlike shlex.quote, always quotes, so the snippet looks the same for every value.
    """
    return "'" + value.replace("'", "'\\''") + "'"


def signed_path(url: str) -> str:
    """The path and query exactly as they appear in the URL: what the signature covers."""
    parts = urlsplit(url)
    path = parts.path or "/"
    return f"{path}?{parts.query}" if parts.query else path


def curl_command(url: str, app_token: str, body: bytes, *, method: str = "POST") -> str:
    """A multi-line snippet that signs with `$SUMSUB_SECRET_KEY` and sends `body` to `url`."""
    method = method.upper()
    try:
        body_text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError("the body is not UTF-8 text; it can't be put in a shell command") from exc
    if "\0" in body_text:
        raise ValueError("the body contains a NUL byte; it can't be put in a shell command")
    # `sed 's/^.*= //'` keeps only the hex digest: OpenSSL 3 prints "SHA2-256(stdin)= <hex>",
    # 1.1 prints "(stdin)= <hex>", LibreSSL may print the bare hex (left unchanged).
    sign = (
        f"printf '%s' \"${{X_APP_ACCESS_TS}}\"{shell_quote(method + signed_path(url))}"
        f'"${{BODY}}" \\\n'
        f"    | openssl dgst -sha256 -hmac \"${SECRET_ENV_VAR}\" | sed 's/^.*= //'"
    )
    lines = [
        "(",
        f'  : "${{{SECRET_ENV_VAR}:?{MISSING_SECRET_MESSAGE}}}"',
        f"  BODY={shell_quote(body_text)}",
        "  X_APP_ACCESS_TS=$(date +%s)",
        f"  X_APP_ACCESS_SIG=$({sign})",
        f"  curl -sS -X {method} {shell_quote(url)} \\",
        "    -H 'Content-Type: application/json' \\",
        "    -H 'Accept: application/json' \\",
        f"    -H {shell_quote(f'{vendor.HEADER_APP_TOKEN}: {app_token}')} \\",
        f'    -H "{vendor.HEADER_ACCESS_TS}: $X_APP_ACCESS_TS" \\',
        f'    -H "{vendor.HEADER_ACCESS_SIG}: $X_APP_ACCESS_SIG" \\',
        '    --data-binary "$BODY"',
        ")",
    ]
    return "\n".join(lines) + "\n"


def curl_for_exchange(exchange: Exchange, app_token: str) -> str:
    """The snippet for a sent request: its URL and exact body bytes. The app token is passed
    in because the recorded headers show it masked."""
    if exchange.request is None:
        raise ValueError("Nothing was sent, so there is no request to copy")
    request = exchange.request
    return curl_command(request.url, app_token, request.body, method=request.method)
