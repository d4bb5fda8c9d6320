"""A signed request as a POSIX-shell snippet ("Copy as curl") that never contains the secret.

The snippet reads the secret key from `SUMSUB_SECRET_KEY` and signs at run time (the signature
is only valid for a minute anyway), so it can be pasted into a ticket or a chat safely. It runs
in a subshell: when pasted into an interactive shell, a missing key stops the whole snippet
instead of just its first line, and none of its variables are left behind.

The key must not become an argument of any program either: arguments are public on this
machine (`ps`, /proc/*/cmdline) for as long as the program runs, and `openssl dgst -hmac KEY`
has no other way to take a key. So the snippet computes HMAC-SHA256 itself, as RFC 2104 defines
it: H((K ^ opad) || H((K ^ ipad) || message)), where K is the key padded with zeros to SHA-256's
64-byte block (a longer key is hashed first). The shell's own `printf` and arithmetic build the
two padded keys — builtins start no process — and programs only ever read key material from a
pipe: `od` turns the key into byte values, `openssl dgst` hashes. It works in sh (dash), bash
and zsh.
The body holds the code and verifier, or the refresh token: curl reads it from a pipe, not from
its arguments, for the same reason.
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


# Sets IPAD and OPAD to printf escapes (\ooo) of the key's bytes XOR 0x36 and XOR 0x5c, padded
# to 64 bytes. `for` splits the command's output into words in every shell, zsh included (which
# would not split a variable holding it); `x >> 6` etc. are the three octal digits of a byte.
_PADDED_KEYS: Final = (
    f"""  KEY_LENGTH=$(printf '%s' "${SECRET_ENV_VAR}" | wc -c)""",
    "  IPAD= OPAD= n=0",
    f"""  for b in $(printf '%s' "${SECRET_ENV_VAR}" \\""",
    "      | if [ $KEY_LENGTH -gt 64 ]; then openssl dgst -sha256 -binary; else cat; fi \\",
    "      | od -An -v -tu1); do",
    r'    x=$((b ^ 54)); IPAD="$IPAD\\$((x >> 6))$(((x >> 3) & 7))$((x & 7))"',
    r'    x=$((b ^ 92)); OPAD="$OPAD\\$((x >> 6))$(((x >> 3) & 7))$((x & 7))"',
    "    n=$((n + 1))",
    "  done",
    r'  while [ $n -lt 64 ]; do IPAD="$IPAD\\066"; OPAD="$OPAD\\134"; n=$((n + 1)); done',
)


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


def curl_command(
    url: str, app_token: str, body: bytes, *, method: str = "POST", warning: str = ""
) -> str:
    """A multi-line snippet that signs with `$SUMSUB_SECRET_KEY` and sends `body` to `url`;
    a `warning` (a spent code, say) goes first, as a comment whoever runs it reads."""
    method = method.upper()
    try:
        body_text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError("the body is not UTF-8 text; it can't be put in a shell command") from exc
    if "\0" in body_text:
        raise ValueError("the body contains a NUL byte; it can't be put in a shell command")
    # `sed 's/^.*= //'` keeps only the hex digest: OpenSSL 3 prints "SHA2-256(stdin)= <hex>",
    # 1.1 prints "(stdin)= <hex>", LibreSSL may print the bare hex (left unchanged).
    message = f'printf \'%s\' "$X_APP_ACCESS_TS"{shell_quote(method + signed_path(url))}"$BODY"'
    sign = (
        f'{{ printf "$OPAD"; {{ printf "$IPAD"; {message}; }} \\\n'
        "    | openssl dgst -sha256 -binary; } | openssl dgst -sha256 | sed 's/^.*= //'"
    )
    comment = [f"# Warning: {line}" for line in warning.splitlines() if line.strip()]
    lines = [
        *comment,
        "(",
        f'  : "${{{SECRET_ENV_VAR}:?{MISSING_SECRET_MESSAGE}}}"',
        f"  BODY={shell_quote(body_text)}",
        "  X_APP_ACCESS_TS=$(date +%s)",
        *_PADDED_KEYS,
        f"  X_APP_ACCESS_SIG=$({sign})",
        # The body goes in through a pipe from the shell's own printf: as an argument, its
        # code, verifier or refresh token would be public for as long as curl runs.
        f"""  printf '%s' "$BODY" | curl -sS -X {method} {shell_quote(url)} \\""",
        "    -H 'Content-Type: application/json' \\",
        "    -H 'Accept: application/json' \\",
        f"    -H {shell_quote(f'{vendor.HEADER_APP_TOKEN}: {app_token}')} \\",
        f'    -H "{vendor.HEADER_ACCESS_TS}: $X_APP_ACCESS_TS" \\',
        f'    -H "{vendor.HEADER_ACCESS_SIG}: $X_APP_ACCESS_SIG" \\',
        "    --data-binary @-",
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
