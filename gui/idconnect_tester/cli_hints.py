"""The hints, in a terminal's words.

A hint's advice is written for the window: "press Get code", "the Raw panel", "the profile's
proxy". On the command line those name nothing that is there. For the hints whose advice names
the window, this is what to run, or which option to change, instead; the others read the same
in both places.
"""

from __future__ import annotations

from typing import Final

from idconnect_tester.core.exchange import Hint, HintKind

_AUTHORIZE: Final = "idconnect-tester authorize"

_IN_TERMINAL_WORDS: Final[dict[HintKind, str]] = {
    HintKind.INVALID_CODE: (
        "Codes are single-use and short-lived: it may have been used already (a second token "
        "request with it), have expired, or the verifier sent (--code-verifier, or the one in "
        "--authorized's input) is not the one whose code_challenge went to authorize. Run "
        f"`{_AUTHORIZE}` for a fresh code and verifier, then exchange it at once."
    ),
    HintKind.REFRESH_VERIFIER_MISMATCH: (
        'On a refresh the code is the one this refresh token came from, so "Invalid code" '
        "most likely means --code-verifier is not that code's. Pass the verifier of the code "
        "exchange that issued this refresh token (or leave --code-verifier out), or check "
        "that the refresh token belongs to this client."
    ),
    HintKind.URL_AS_CODE: (
        "The code sent looks like a redirect URL (…?code=…&state=…), not a code: a common "
        "cause when it was copied from the browser's address bar or another OAuth tool. Pass "
        "only the value after code= (and check that its state is the one authorize printed). "
        f"Codes are single-use: if in doubt, run `{_AUTHORIZE}` for a fresh one."
    ),
    HintKind.ACCESS_TOKEN_REFUSED: (
        "The server names the access token (sumsubIdConnectToken), not the app token or the "
        "signature: it has expired, was never issued by this server, or belongs to another "
        "environment. Get a new access token with `idconnect-tester token` (a refresh, or a "
        "new code), then run share-token again."
    ),
    HintKind.SHARE_SCOPE_MISSING: (
        "Only a token granted with the share scope can mint share tokens. Run "
        f"`{_AUTHORIZE}` with share in --scope, exchange the new code, then run share-token "
        "again with the new access token."
    ),
    HintKind.FORBIDDEN: (
        "The token was revoked (for example because its authorization code was used twice), "
        "lacks the scope this call needs, or a sandbox (sbx:) credential was mixed with a "
        f"production one. Start again from `{_AUTHORIZE}` with the right app token."
    ),
    HintKind.SHARE_FIELDS_MISSING: "Pass both --for-client-id and --access-token.",
    HintKind.MALFORMED_REQUEST: (
        "Sumsub could not accept the body. Check the grant type and the options it needs: "
        "--code and --code-verifier, or --refresh-token."
    ),
    HintKind.TIMEOUT: (
        "The server did not answer within the timeout. Check your network, proxy or VPN, or "
        "raise --timeout."
    ),
    HintKind.TLS: (
        "The server's certificate could not be verified. Behind a corporate proxy, pass its "
        "CA bundle with --ca-bundle; check this computer's date; never use --insecure for "
        "production."
    ),
    HintKind.PROXY: (
        "The proxy refused or failed the request. Check --proxy (or the profile's proxy) and "
        "the HTTPS_PROXY / HTTP_PROXY / ALL_PROXY / NO_PROXY environment variables."
    ),
    HintKind.UNDOCUMENTED_RESPONSE: (
        "The body is printed on standard output as it came. If the base URL points at a proxy "
        "or mock, check what it returns."
    ),
}


def hint_line(hint: Hint) -> str:
    """`hint: <title>. <advice>`, the advice in a terminal's words."""
    return f"hint: {hint.title}. {_IN_TERMINAL_WORDS.get(hint.kind, hint.advice)}"
