"""Keys for id_token verification: discovery and JWKS from the emulator, the cache, offline keys,
and every verification row on the emulator's real (and deliberately broken) id_tokens."""

import asyncio
import datetime
import json

import httpx
import jwt
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID
from tests.support.faulty_servers import closed_port
from tests.support.oidc import CLIENT_ID, emulator_id_token, foreign_token, jwks_of

from idconnect_tester.core.id_token_checks import (
    CheckStatus,
    VerificationContext,
    VerificationKey,
    verify_id_token,
)
from idconnect_tester.core.jwks import (
    JwksCache,
    KeyFetchError,
    build_context,
    fetch_discovery,
    keys_from_jwks_text,
    keys_from_pem,
    keys_from_text,
)
from idconnect_tester.emulator import EmulatorServer

Moment = datetime.datetime


class CountingClient:
    """An httpx client that records the URL of every request it sends."""

    def __init__(self, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.urls: list[str] = []

        async def record(request: httpx.Request) -> None:
            self.urls.append(str(request.url))

        self.http = httpx.AsyncClient(
            trust_env=False, transport=transport, event_hooks={"request": [record]}
        )


def mock_client(routes: dict[str, httpx.Response]) -> httpx.AsyncClient:
    """For byte-level answers the emulator never gives."""

    def handler(request: httpx.Request) -> httpx.Response:
        return routes.get(str(request.url), httpx.Response(404))

    return httpx.AsyncClient(transport=httpx.MockTransport(handler))


def statuses(token: str, **context_args: object) -> dict[str, CheckStatus]:
    async def body() -> dict[str, CheckStatus]:
        async with httpx.AsyncClient(trust_env=False) as http:
            context = await build_context(http, token=token, **context_args)  # type: ignore[arg-type]
        return {row.name: row.status for row in verify_id_token(token, context).checks}

    return asyncio.run(body())


# --- discovery ---------------------------------------------------------------------------------


def test_discovery_from_the_emulator(emulator: EmulatorServer) -> None:
    async def body() -> None:
        async with httpx.AsyncClient(trust_env=False) as http:
            document = await fetch_discovery(http, emulator.issuer)
        assert document["issuer"] == emulator.issuer
        assert document["jwks_uri"] == emulator.base_url + "/.well-known/jwks.json"

    asyncio.run(body())


@pytest.mark.parametrize(
    ("issuer_of", "message"),
    [
        (lambda e: e.base_url, "differ only in the trailing slash"),
        (lambda e: e.issuer.replace("127.0.0.1", "localhost"), "is for issuer"),
    ],
)
def test_discovery_for_another_issuer_is_refused(emulator, issuer_of, message) -> None:
    async def body() -> None:
        async with httpx.AsyncClient(trust_env=False) as http:
            with pytest.raises(KeyFetchError, match=message):
                await fetch_discovery(http, issuer_of(emulator))

    asyncio.run(body())


ISSUER = "https://id.example.test/"
DISCOVERY = "https://id.example.test/.well-known/openid-configuration"


@pytest.mark.parametrize(
    ("response", "message"),
    [
        (httpx.Response(200, text="<html>hi</html>"), "is not JSON"),
        (httpx.Response(200, json=[1, 2]), "not an object"),
        (httpx.Response(200, json={"issuer": ISSUER}), "has no jwks_uri"),
        (
            httpx.Response(200, json={"issuer": ISSUER, "jwks_uri": "http://evil.test/jwks"}),
            "plain http:// to another machine",
        ),
        (
            httpx.Response(
                200,
                json={
                    "issuer": ISSUER,
                    "jwks_uri": ISSUER + "jwks",
                    "id_token_signing_alg_values_supported": "RS256",
                },
            ),
            "not a list of algorithm names",
        ),
        (httpx.Response(503, text="down"), "answered HTTP 503"),
        (httpx.Response(302, headers={"Location": "https://x.test/"}), "a redirect to"),
        (httpx.Response(200, content=b"{" + b" " * 2_000_000 + b"}"), "larger than"),
    ],
)
def test_discovery_problems_are_sentences(response: httpx.Response, message: str) -> None:
    async def body() -> None:
        async with mock_client({DISCOVERY: response}) as http:
            with pytest.raises(KeyFetchError, match=message):
                await fetch_discovery(http, ISSUER)

    asyncio.run(body())


def test_plain_http_issuer_elsewhere_is_refused_before_any_request() -> None:
    async def body() -> None:
        counting = CountingClient()
        async with counting.http:
            with pytest.raises(KeyFetchError, match="plain http"):
                await fetch_discovery(counting.http, "http://id.example.test/")
        assert counting.urls == []

    asyncio.run(body())


# --- the JWKS and the cache --------------------------------------------------------------------


def test_keys_via_discovery_are_cached(emulator: EmulatorServer) -> None:
    async def body() -> None:
        counting = CountingClient()
        cache = JwksCache()
        async with counting.http:
            keys = await cache.keys_for(counting.http, issuer=emulator.issuer)
            again = await cache.keys_for(counting.http, issuer=emulator.issuer)
            kid = keys[0].jwk["kid"]
            with_kid = await cache.keys_for(counting.http, issuer=emulator.issuer, kid=kid)
        assert keys == again == with_kid and len(keys) == 1
        assert keys[0].jwk["kty"] == "RSA"
        assert keys[0].source == f"JWKS {emulator.base_url}/.well-known/jwks.json"
        assert counting.urls == [
            emulator.base_url + "/.well-known/openid-configuration",
            emulator.base_url + "/.well-known/jwks.json",
        ]

    asyncio.run(body())


def test_an_unknown_kid_refetches_exactly_once(emulator: EmulatorServer) -> None:
    async def body() -> None:
        counting = CountingClient()
        cache = JwksCache()
        url = emulator.base_url + "/.well-known/jwks.json"
        async with counting.http:
            await cache.keys_for(counting.http, jwks_url=url)
            assert counting.urls == [url]
            keys = await cache.keys_for(counting.http, jwks_url=url, kid="rotated-away")
            assert counting.urls == [url, url]  # one refetch for the unknown kid…
            assert all(k.jwk.get("kid") != "rotated-away" for k in keys)
            await cache.keys_for(counting.http, jwks_url=url, kid="rotated-away")
            assert counting.urls == [url, url]  # …and not again for the same kid

    asyncio.run(body())


def test_fetch_again_asks_the_issuer_whatever_the_cache_holds(emulator: EmulatorServer) -> None:
    """A check the person asks for: the discovery document and the key set the issuer
    publishes now — a key it has taken out of its set must not verify from the cache."""

    async def body() -> None:
        counting = CountingClient()
        cache = JwksCache()
        async with counting.http:
            keys = await cache.keys_for(counting.http, issuer=emulator.issuer)
            kid = keys[0].jwk["kid"]
            await cache.keys_for(counting.http, issuer=emulator.issuer, kid=kid)
            assert len(counting.urls) == 2  # cached: the kid is there
            await cache.keys_for(counting.http, issuer=emulator.issuer, kid=kid, fetch_again=True)
        assert counting.urls[2:] == [
            emulator.base_url + "/.well-known/openid-configuration",
            emulator.base_url + "/.well-known/jwks.json",
        ]

    asyncio.run(body())


def test_a_check_asked_for_fetches_each_document_once(emulator: EmulatorServer) -> None:
    """Tryout AP: each Verify again asked for the discovery document twice (once for its
    algorithms, once for its jwks_uri) and the key set twice (fetched anew, then again for a
    kid it lacked): once each is fresh enough."""

    async def body() -> None:
        counting = CountingClient()
        cache = JwksCache()
        token = "eyJhbGciOiJSUzI1NiIsImtpZCI6InJvdGF0ZWQtYXdheSJ9.e30.c2ln"  # kid: rotated-away
        async with counting.http:
            await build_context(counting.http, token=token, cache=cache, issuer=emulator.issuer)
            counting.urls.clear()
            await build_context(
                counting.http, token=token, cache=cache, issuer=emulator.issuer, fetch_again=True
            )
        assert counting.urls == [
            emulator.base_url + "/.well-known/openid-configuration",
            emulator.base_url + "/.well-known/jwks.json",
        ]

    asyncio.run(body())


def test_a_context_says_when_keys_it_took_from_the_cache_were_fetched(
    emulator: EmulatorServer,
) -> None:
    """Keys fetched for this check are its own; keys an earlier check fetched are said to be
    from then (tryout AQ: a key the restarted issuer no longer published "verified" with no
    word that nobody had asked the issuer)."""

    async def body() -> tuple[Moment | None, Moment | None, Moment | None, Moment]:
        cache = JwksCache()
        async with httpx.AsyncClient() as http:
            fetched = await build_context(http, cache=cache, issuer=emulator.issuer)
            after_the_fetch = datetime.datetime.now(datetime.UTC)
            cached = await build_context(http, cache=cache, issuer=emulator.issuer)
            asked = await build_context(http, cache=cache, issuer=emulator.issuer, fetch_again=True)
        return (
            fetched.keys_cached_since,
            cached.keys_cached_since,
            asked.keys_cached_since,
            after_the_fetch,
        )

    fetched, cached, asked, after_the_fetch = asyncio.run(body())
    assert fetched is None and asked is None
    assert cached is not None and cached <= after_the_fetch


def test_concurrent_callers_share_one_fetch(emulator: EmulatorServer) -> None:
    async def body() -> None:
        counting = CountingClient()
        cache = JwksCache()
        async with counting.http:
            results = await asyncio.gather(
                *(cache.keys_for(counting.http, issuer=emulator.issuer) for _ in range(8))
            )
        assert all(r == results[0] for r in results)
        assert len(counting.urls) == 2  # one discovery, one JWKS

    asyncio.run(body())


def test_the_cache_expires(emulator: EmulatorServer) -> None:
    now = [1000.0]
    cache = JwksCache(ttl_s=60, clock=lambda: now[0])
    url = emulator.base_url + "/.well-known/jwks.json"

    async def body() -> None:
        counting = CountingClient()
        async with counting.http:
            await cache.keys_for(counting.http, jwks_url=url)
            now[0] += 59
            await cache.keys_for(counting.http, jwks_url=url)
            assert len(counting.urls) == 1
            now[0] += 2
            await cache.keys_for(counting.http, jwks_url=url)
            assert len(counting.urls) == 2

    asyncio.run(body())


def test_jwks_http_errors_are_clear(emulator: EmulatorServer) -> None:
    async def body() -> None:
        cache = JwksCache()
        async with httpx.AsyncClient(trust_env=False) as http:
            with pytest.raises(KeyFetchError, match=r"JWKS at .*/nope answered HTTP 404"):
                await cache.keys_for(http, jwks_url=emulator.base_url + "/nope")
            refused = f"http://127.0.0.1:{closed_port()}/jwks.json"
            with pytest.raises(KeyFetchError, match="could not be fetched"):
                await cache.keys_for(http, jwks_url=refused)
        # a failure is not cached: the next call tries again (and the emulator now answers)
        async with httpx.AsyncClient(trust_env=False) as http:
            assert await cache.keys_for(http, issuer=emulator.issuer)

    asyncio.run(body())


def test_a_jwks_that_is_not_one() -> None:
    url = "https://id.example.test/jwks"

    async def body() -> None:
        for response, message in (
            (httpx.Response(200, json={"keys": "nope"}), "not a list"),
            (httpx.Response(200, json={"keys": [1]}), "not a JWK"),
            (httpx.Response(200, json={"hello": 1}), "neither a JWKS"),
        ):
            async with mock_client({url: response}) as http:
                with pytest.raises(KeyFetchError, match=message):
                    await JwksCache().keys_for(http, jwks_url=url)

    asyncio.run(body())


# --- offline keys ------------------------------------------------------------------------------


def test_pasted_jwks_and_single_jwk(emulator: EmulatorServer) -> None:
    document = jwks_of(emulator)
    keys = keys_from_jwks_text(json.dumps(document), "pasted JWKS")
    assert len(keys) == 1 and keys[0].source == "pasted JWKS"
    single = keys_from_text(json.dumps(document["keys"][0]), "pasted JWK")  # type: ignore[index]
    assert single[0].jwk == keys[0].jwk
    encryption_only = {"keys": [{**keys[0].jwk, "use": "enc"}]}
    # Kept, marked: never used for a signature, but named when a token points at it.
    (encryption,) = keys_from_jwks_text(json.dumps(encryption_only), "x")
    assert encryption.for_encryption and not keys[0].for_encryption


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("not json", "not JSON"),
        ("hello world", "neither a JWKS nor a JWK — nor a PEM key"),
        ('{"keys": [}', "not valid JSON at line 1, column 11"),
        ("[1]", "neither a JWKS"),
        ('{"keys": [{"no": "kty"}]}', "not a JWK"),
        ("-----BEGIN PUBLIC KEY-----\ngarbage\n-----END PUBLIC KEY-----", "not a PEM"),
        # Tryout U: a label copied with the key was told a PEM key "starts with -----BEGIN".
        (
            "Public key:\n-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----",
            "'Public key:' before it: paste from the -----BEGIN line on",
        ),
    ],
)
def test_junk_keys_are_refused(text: str, message: str) -> None:
    with pytest.raises(KeyFetchError, match=message):
        keys_from_text(text, "pasted")


_PEM_KEY = "-----BEGIN PUBLIC KEY-----\n{}\n-----END PUBLIC KEY-----"


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkq", "END PUBLIC KEY----- line is missing"),
        (_PEM_KEY.format("MIIB@jAN"), "not base64 ('@')"),
        (_PEM_KEY.format("garbage"), "groups of 4"),
        (_PEM_KEY.format("MIIBIjANBgkqhkiG9w0BAQEFAAOC"), "21 bytes are no whole public key"),
        (_PEM_KEY.replace("END PUBLIC KEY", "END CERTIFICATE").format("MIIB"), "two pastes"),
    ],
)
def test_a_damaged_pem_is_explained_in_the_apps_own_words(text: str, says: str) -> None:
    """Not the library's internals ("MalformedFraming", its FAQ's URL): what to do."""
    with pytest.raises(KeyFetchError) as refused:
        keys_from_text(text, "pasted")
    assert says in str(refused.value)
    assert "cryptography.io" not in str(refused.value) and "Malformed" not in str(refused.value)


def _signed(key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey, alg: str) -> str:
    now = int(datetime.datetime.now(datetime.UTC).timestamp())
    claims = {"iss": "i", "aud": "a", "sub": "s", "iat": now, "exp": now + 60}
    return jwt.encode(claims, key, algorithm=alg)  # no kid: the only key is used


def _certificate(key: rsa.RSAPrivateKey) -> bytes:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "id.example.test")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    return certificate.public_bytes(serialization.Encoding.PEM)


def test_pem_keys_and_certificates_verify_signatures() -> None:
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ec_key = ec.generate_private_key(ec.SECP256R1())
    public_pem = rsa_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    ec_pem = ec_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    for text, token in (
        (public_pem.decode(), _signed(rsa_key, "RS256")),
        (_certificate(rsa_key).decode(), _signed(rsa_key, "RS256")),
        (ec_pem.decode(), _signed(ec_key, "ES256")),
    ):
        keys = keys_from_text(text, "key file k.pem")
        assert "kid" not in keys[0].jwk
        rows = {r.name: r for r in verify_id_token(token, build_offline(keys)).checks}
        assert rows["signature"].status is CheckStatus.PASS, rows["signature"]
        assert "key file k.pem" in rows["signature"].detail
    assert keys_from_pem(public_pem.decode(), "k", kid="k1")[0].jwk["kid"] == "k1"


def test_one_pem_key_verifies_a_token_that_names_a_kid_and_a_wrong_one_fails_the_signature() -> (
    None
):
    """A PEM key carries no kid; pasted alone, it is the key the person chose — as a JWKS
    from the issuer would not be: there the kid must match."""
    signer = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = int(datetime.datetime.now(datetime.UTC).timestamp())
    claims = {"iss": "i", "aud": "a", "sub": "s", "iat": now, "exp": now + 60}
    token = jwt.encode(claims, signer, algorithm="RS256", headers={"kid": "issuer-key-7"})

    def rows(key: rsa.RSAPrivateKey, kid: str | None = None) -> dict[str, CheckStatus]:
        pem = key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        keys = keys_from_pem(pem.decode(), "pasted keys", kid=kid)
        return {r.name: r.status for r in verify_id_token(token, build_offline(keys)).checks}

    right = rows(signer)
    assert right["kid"] is CheckStatus.PASS and right["signature"] is CheckStatus.PASS
    wrong = rows(rsa.generate_private_key(public_exponent=65537, key_size=2048))
    assert wrong["kid"] is CheckStatus.PASS and wrong["signature"] is CheckStatus.FAIL
    # A key that names another kid is another key: the kid must match.
    assert rows(signer, kid="another")["kid"] is CheckStatus.FAIL


def test_a_private_key_is_refused_with_advice() -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    with pytest.raises(KeyFetchError, match="PRIVATE key"):
        keys_from_text(pem, "pasted")


def build_offline(keys: list[VerificationKey]) -> VerificationContext:
    return asyncio.run(build_context(None, keys=keys))


# --- build_context and every row on the emulator's tokens --------------------------------------


def test_a_failed_fetch_explains_itself_on_the_rows() -> None:
    async def body() -> None:
        async with httpx.AsyncClient(trust_env=False) as http:
            context = await build_context(
                http, issuer=f"http://127.0.0.1:{closed_port()}/", client_id=CLIENT_ID
            )
        assert context.keys is None
        assert context.keys_note.startswith("JWKS could not be fetched: ")

    asyncio.run(body())
    offline = asyncio.run(build_context(None))
    assert offline.keys is None and "not checked" in offline.keys_note


def test_a_good_id_token_passes_every_check(emulator: EmulatorServer) -> None:
    session, token = asyncio.run(emulator_id_token(emulator))
    rows = statuses(token, issuer=emulator.issuer, client_id=CLIENT_ID, nonce=session.nonce)
    assert CheckStatus.FAIL not in rows.values(), rows
    for name in ("decode", "algorithm", "kid", "signature", "iss", "aud", "exp", "iat", "nonce"):
        assert rows[name] is CheckStatus.PASS, name
    # the same with the JWKS URL: no issuer, so the iss row warns it was not compared
    by_url = statuses(token, jwks_url=emulator.base_url + "/.well-known/jwks.json")
    assert by_url["signature"] is CheckStatus.PASS and by_url["iss"] is CheckStatus.WARN


@pytest.mark.parametrize(
    ("scenario", "failing"),
    [
        ("expired_id_token", "exp"),
        ("bad_signature_id_token", "signature"),
        ("alg_none_id_token", "algorithm"),
    ],
)
def test_broken_id_tokens_fail_their_row(
    emulator: EmulatorServer, scenario: str, failing: str
) -> None:
    emulator.set_scenario(scenario)
    session, token = asyncio.run(emulator_id_token(emulator))
    rows = statuses(token, issuer=emulator.issuer, client_id=CLIENT_ID, nonce=session.nonce)
    assert rows[failing] is CheckStatus.FAIL, rows


def test_a_token_signed_by_an_unknown_key_fails_kid(emulator: EmulatorServer) -> None:
    token = foreign_token(emulator.issuer, CLIENT_ID)
    rows = statuses(token, issuer=emulator.issuer, client_id=CLIENT_ID)
    assert rows["kid"] is CheckStatus.FAIL
    assert rows["signature"] is CheckStatus.FAIL
    assert rows["iss"] is CheckStatus.PASS and rows["aud"] is CheckStatus.PASS


def test_nonce_match_and_mismatch(emulator: EmulatorServer) -> None:
    session, token = asyncio.run(emulator_id_token(emulator))
    common = {"issuer": emulator.issuer, "client_id": CLIENT_ID}
    assert statuses(token, nonce=session.nonce, **common)["nonce"] is CheckStatus.PASS
    assert statuses(token, nonce="another-run", **common)["nonce"] is CheckStatus.FAIL
    assert statuses(token, **common)["nonce"] is CheckStatus.SKIPPED
