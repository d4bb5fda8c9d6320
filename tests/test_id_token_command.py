"""The `id-token` command through the main CLI entry (`idconnect_tester.cli.main`), in-process
for speed, against the emulator's id_tokens. tests/test_cli.py runs it as a real process too."""

import asyncio
import base64
import io
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from tests.support.faulty_servers import closed_port
from tests.support.local_issuer import SigningKey, local_issuer, sign
from tests.support.oidc import CLIENT_ID, emulator_id_token, foreign_token, jwks_of

from idconnect_tester.cli import main
from idconnect_tester.core import second_opinion
from idconnect_tester.core.id_token_claims import access_token_hash
from idconnect_tester.emulator import EmulatorServer


@dataclass(frozen=True)
class Done:
    returncode: int
    stdout: str
    stderr: str


IdToken = Callable[..., Done]


@pytest.fixture
def id_token(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> IdToken:
    """`idconnect-tester id-token ARGS` with `stdin`: its exit status and output."""

    def run(*args: str, stdin: str | None = None) -> Done:
        capsys.readouterr()  # drop anything printed before
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin or ""))
        try:
            status = main(["id-token", *args])
        except SystemExit as exit_:  # argparse: --help, or options that can't go together
            status = exit_.code if isinstance(exit_.code, int) else 1
        out, err = capsys.readouterr()
        return Done(status, out, err)

    return run


def check_lines(stdout: str) -> dict[str, str]:
    """`PASS  signature  Valid …` lines, as {name: line}."""
    lines = stdout.split("checks:\n", 1)[1].splitlines()
    labels = ("PASS", "FAIL", "SKIP", "WARN", "UNVERIFIED")
    return {line.split()[1]: line for line in lines if line.split() and line.split()[0] in labels}


@pytest.fixture
def good(emulator: EmulatorServer) -> tuple[str, str]:
    """(nonce, id_token) fresh from the emulator."""
    session, token = asyncio.run(emulator_id_token(emulator))
    return session.nonce, token


def test_a_good_token_passes(
    id_token: IdToken, emulator: EmulatorServer, good: tuple[str, str]
) -> None:
    nonce, token = good
    done = id_token(token, "--issuer", emulator.issuer, "--client-id", CLIENT_ID, "--nonce", nonce)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("header:\n{\n")
    assert '"alg": "RS256"' in done.stdout
    assert " UTC (" in done.stdout  # readable times next to iat/exp
    lines = check_lines(done.stdout)
    assert lines["signature"].startswith("PASS")
    assert "Valid RS256 signature by JWKS http" in lines["signature"]
    assert done.stdout.rstrip().endswith("verdict: VERIFIED")
    for name in (
        *("decode", "crit", "algorithm", "kid", "key", "iss", "sub", "aud", "azp"),
        *("exp", "iat", "nonce", "second-opinion"),
    ):
        assert lines[name].startswith("PASS"), lines[name]
    assert lines["nbf"].startswith("SKIP")


def test_when_pyjwt_refuses_what_every_row_passed_the_verdict_is_not_verified(
    id_token: IdToken,
    emulator: EmulatorServer,
    good: tuple[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A disagreement is a bug in the rows to surface: forced here, since none is known."""
    _, token = good
    monkeypatch.setattr(second_opinion, "pyjwt_refusal", lambda *_: "InvalidSignatureError: forced")
    done = id_token(token, "--issuer", emulator.issuer, "--client-id", CLIENT_ID)
    assert done.returncode == 1
    lines = check_lines(done.stdout)
    assert lines["signature"].startswith("PASS")  # the rows themselves still pass…
    assert lines["second-opinion"].startswith("FAIL")  # …and the verdict does not trust them
    assert "verdict: VERIFIED" not in done.stdout
    assert "second opinion differs" in done.stderr and "forced" in done.stderr


def test_when_pyjwt_accepts_what_a_row_failed_the_row_is_flagged(
    id_token: IdToken,
    good: tuple[str, str],
    monkeypatch: pytest.MonkeyPatch,
    emulator: EmulatorServer,
) -> None:
    _, token = good
    monkeypatch.setattr(second_opinion, "pyjwt_refusal", lambda *_: None)
    jwks_url = emulator.base_url + "/.well-known/jwks.json"
    done = id_token(token, "--jwks-url", jwks_url, "--client-id", "another-client")
    assert done.returncode == 1  # aud failed: the verdict stays failed
    lines = check_lines(done.stdout)
    assert lines["aud"].startswith("FAIL")
    assert lines["second-opinion"].startswith("WARN") and "aud" in lines["second-opinion"]
    assert "second opinion differs" in done.stderr


def test_the_token_from_stdin_and_keys_by_url(
    id_token: IdToken, emulator: EmulatorServer, good: tuple[str, str]
) -> None:
    _, token = good
    url = emulator.base_url + "/.well-known/jwks.json"
    done = id_token("-", "--jwks-url", url, stdin=token + "\n")
    lines = check_lines(done.stdout)
    assert lines["signature"].startswith("PASS") and lines["iss"].startswith("WARN")
    assert lines["aud"].startswith("WARN") and lines["nonce"].startswith("SKIP")
    # A genuine signature on a token of any issuer, for any audience, validates nothing.
    assert done.returncode == 1 and "verdict: NOT VERIFIED" in done.stdout
    assert "--issuer" in done.stderr and "--client-id" in done.stderr  # what to give
    assert "--nonce" in done.stderr  # the nonce's SKIP row says what the window knows; this, how
    # Given both, with the keys still from the URL (no discovery): verified.
    expected = ("--issuer", emulator.issuer, "--client-id", CLIENT_ID)
    done = id_token("-", "--jwks-url", url, *expected, stdin=token + "\n")
    assert done.returncode == 0, done.stderr
    lines = check_lines(done.stdout)
    assert lines["iss"].startswith("PASS") and lines["aud"].startswith("PASS")
    # …and a token of another issuer fails, where it used to warn.
    other = id_token("-", "--jwks-url", url, "--issuer", "https://other.test/", stdin=token)
    assert other.returncode == 1 and check_lines(other.stdout)["iss"].startswith("FAIL")


def test_keys_from_a_file(
    id_token: IdToken, emulator: EmulatorServer, good: tuple[str, str], tmp_path: Path
) -> None:
    _, token = good
    jwks = tmp_path / "jwks.json"
    jwks.write_text(json.dumps(jwks_of(emulator)), encoding="utf-8")
    expected = ("--issuer", emulator.issuer, "--client-id", CLIENT_ID)
    done = id_token(token, "--jwks-file", str(jwks), *expected)
    assert done.returncode == 0, done.stderr
    assert f"by key file {jwks}" in check_lines(done.stdout)["signature"]

    other = rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key()
    pem = tmp_path / "other.pem"
    pem.write_bytes(
        other.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    wrong = id_token(token, "--jwks-file", str(pem), *expected)
    assert wrong.returncode == 1  # the only key in the file is not the signer
    junk = tmp_path / "junk.txt"
    junk.write_text("hello", encoding="utf-8")
    refused = id_token(token, "--jwks-file", str(junk), *expected)
    assert refused.returncode == 1 and "key file could not be used" in refused.stderr


@pytest.mark.parametrize(
    ("scenario", "failing"),
    [
        ("expired_id_token", "exp"),
        ("bad_signature_id_token", "signature"),
        ("alg_none_id_token", "algorithm"),
        ("wrong_nonce", "nonce"),
        ("unknown_key", "kid"),
    ],
)
def test_bad_tokens_exit_1(
    id_token: IdToken, emulator: EmulatorServer, scenario: str, failing: str
) -> None:
    nonce = None
    if scenario == "unknown_key":
        token = foreign_token(emulator.issuer, CLIENT_ID)
    else:
        if scenario != "wrong_nonce":
            emulator.set_scenario(scenario)
        session, token = asyncio.run(emulator_id_token(emulator))
        nonce = "not-the-one-sent" if scenario == "wrong_nonce" else session.nonce
    extra = ["--nonce", nonce] if nonce else []
    done = id_token(token, "--issuer", emulator.issuer, "--client-id", CLIENT_ID, *extra)
    assert done.returncode == 1, done.stdout + done.stderr
    assert check_lines(done.stdout)[failing].startswith("FAIL"), done.stdout
    assert "FAILED:" in done.stderr and failing in done.stderr


def test_a_malformed_token_exits_1(id_token: IdToken) -> None:
    done = id_token("not.a.jwt")
    assert done.returncode == 1
    assert "FAIL  decode" in done.stdout
    assert "the token could not be read" in done.stderr


def test_a_token_cut_short_is_said_to_be_cut_off(
    id_token: IdToken, emulator: EmulatorServer, good: tuple[str, str]
) -> None:
    """Forty characters short (a copy that lost its end): it fails, and stderr says the text
    looks cut off, as the JWT workbench does — "not canonical base64url" alone read as a
    signer's bug. A whole token gets no such line."""
    _, token = good
    done = id_token(token[:-40], "--issuer", emulator.issuer, "--client-id", CLIENT_ID)
    assert done.returncode == 1
    assert "CUT OFF:" in done.stderr and "cut off inside the signature" in done.stderr
    whole = id_token(token, "--issuer", emulator.issuer, "--client-id", CLIENT_ID)
    assert "CUT OFF" not in whole.stderr


def test_keys_that_cannot_be_fetched_exit_1(id_token: IdToken, good: tuple[str, str]) -> None:
    done = id_token(good[1], "--issuer", f"http://127.0.0.1:{closed_port()}/")
    assert done.returncode == 1
    assert "NOT VERIFIED: JWKS could not be fetched" in done.stderr
    assert check_lines(done.stdout)["signature"].startswith("SKIP")


def test_without_a_key_source_a_forged_token_is_not_verified_and_exits_1(
    id_token: IdToken, emulator: EmulatorServer
) -> None:
    # `id-token "$T" && deploy` must not trust what no key has checked.
    forged = foreign_token(emulator.issuer, CLIENT_ID, kid="emulator-key")
    done = id_token(forged, "--client-id", CLIENT_ID)
    assert done.returncode == 1, done.stdout + done.stderr
    assert done.stdout.rstrip().endswith("verdict: NOT VERIFIED")
    lines = check_lines(done.stdout)
    assert lines["signature"].startswith("SKIP")
    # Its audience matches, and proves nothing: no key checked who wrote it.
    assert lines["aud"].startswith("UNVERIFIED"), lines["aud"]
    assert "NOT VERIFIED" in done.stderr and "--issuer" in done.stderr


def test_decode_only_decodes_and_verifies_nothing(id_token: IdToken, good: tuple[str, str]) -> None:
    done = id_token(good[1], "--decode-only")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("header:\n") and "claims:" in done.stdout
    assert "checks:" not in done.stdout and "verdict" not in done.stdout
    assert "nothing was verified" in done.stderr
    unreadable = id_token("not.a.jwt", "--decode-only")
    assert unreadable.returncode == 1 and "could not be read" in unreadable.stderr
    no_alg = id_token("e30.e30.", "--decode-only")  # {} . {} : JSON, but not a JWS
    assert no_alg.returncode == 1 and "no alg" in no_alg.stderr
    mixed = id_token(good[1], "--decode-only", "--issuer", "https://a.test/")
    assert mixed.returncode == 2 and "--issuer" in mixed.stderr


def test_characters_a_terminal_would_not_show_are_printed_as_escapes(id_token: IdToken) -> None:
    """A right-to-left override in a claim would print the value reversed: it is shown as the
    JSON escape that spells it, as in the window."""

    def part(value: dict[str, str]) -> str:
        text = json.dumps(value).encode()
        return base64.urlsafe_b64encode(text).rstrip(b"=").decode()

    token = ".".join(
        (part({"alg": "RS256", "kid": "k\u202eevil"}), part({"sub": "\u202etxt.exe"}), "c2ln")
    )
    done = id_token(token, "--decode-only")
    assert done.returncode == 0, done.stderr
    assert "\u202e" not in done.stdout
    assert '"sub": "\\u202etxt.exe"' in done.stdout and '"kid": "k\\u202eevil"' in done.stdout


def test_algorithm_and_at_hash_follow_the_issuer(id_token: IdToken) -> None:
    key = SigningKey("k1", rsa.generate_private_key(public_exponent=65537, key_size=2048))
    with local_issuer() as issuer:
        issuer.publish(key.public_jwk(), algorithms=["RS256"])
        now = int(time.time())
        claims = {"iss": issuer.issuer, "sub": "u", "aud": CLIENT_ID, "iat": now, "exp": now + 60}
        claims["at_hash"] = access_token_hash("the-access-token", "RS256")
        token = sign(key, {"alg": "RS256", "kid": "k1"}, claims, "RS256")
        checks = ("--issuer", issuer.issuer, "--client-id", CLIENT_ID)
        good = id_token(token, *checks, "--access-token", "the-access-token")
        assert good.returncode == 0, good.stdout + good.stderr
        assert check_lines(good.stdout)["at_hash"].startswith("PASS")
        other = id_token(token, *checks, "--access-token", "another-response")
        assert other.returncode == 1 and check_lines(other.stdout)["at_hash"].startswith("FAIL")
        rs512 = sign(key, {"alg": "RS512", "kid": "k1"}, claims, "RS512")
        refused = id_token(rs512, *checks)
        assert refused.returncode == 1, refused.stdout
        assert check_lines(refused.stdout)["algorithm"].startswith("FAIL")
        assert "verdict: FAILED" in refused.stdout


def test_a_warning_shows_and_keeps_the_verdict(id_token: IdToken) -> None:
    key = SigningKey("k1", rsa.generate_private_key(public_exponent=65537, key_size=2048))
    with local_issuer() as issuer:
        issuer.publish(key.public_jwk(), algorithms=["RS256"])
        now = int(time.time())
        claims = {"iss": issuer.issuer, "sub": "u", "aud": CLIENT_ID}
        header = {"alg": "RS256", "kid": "k1", "typ": "example"}  # a type id_tokens don't have
        token = sign(key, header, {**claims, "iat": now, "exp": now + 60}, "RS256")
        done = id_token(token, "--issuer", issuer.issuer, "--client-id", CLIENT_ID)
    assert done.returncode == 0, done.stdout + done.stderr
    assert check_lines(done.stdout)["typ"].startswith("WARN")
    assert "warning: typ:" in done.stderr and "verdict: VERIFIED" in done.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--jwks-url", "https://a.test/j", "--jwks-file", "k.json"], "not allowed with"),
        (["--issuer", "http://id.example.com/"], "plain http"),
        (["--jwks-file", "/no/such/file.json"], "cannot read"),
        (["--leeway", "-5", "--issuer", "https://a.test/"], "--leeway"),
        (["--leeway", "100000000000000", "--issuer", "https://a.test/"], "--leeway"),
        (["--ca-bundle", "/no/such.pem", "--issuer", "https://a.test/"], "--ca-bundle"),
        (["--ca-bundle", "x.pem", "--insecure"], "not allowed with"),
    ],
)
def test_usage_errors_exit_2(id_token: IdToken, args: list[str], message: str) -> None:
    done = id_token("a.b.c", *args)
    assert done.returncode == 2, done.stderr
    assert message in done.stderr


def test_help_shows_examples(id_token: IdToken) -> None:
    done = id_token("--help")
    assert done.returncode == 0
    assert "examples:" in done.stdout and "--jwks-file" in done.stdout


@pytest.mark.parametrize(
    ("args", "stdin", "said"),
    [(("",), None, "TOKEN given is empty"), (("-",), "\n", "standard input was empty")],
    ids=["empty argument", "empty stdin"],
)
def test_no_token_at_all_is_a_usage_error(
    id_token: IdToken, args: tuple[str, ...], stdin: str | None, said: str
) -> None:
    """Tryout AO: `id-token ""` (an unset variable) exited 1, as a token that failed its checks
    does: a script could not tell a call gone wrong from a bad token."""
    done = id_token(*args, "--decode-only", stdin=stdin)
    assert done.returncode == 2 and said in done.stderr, done
    assert done.stdout == ""
