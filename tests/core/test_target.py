from pathlib import Path

import pytest

from idconnect_tester.core.authorize import endpoint_problem
from idconnect_tester.core.jwks import url_problem
from idconnect_tester.core.masking import Secret
from idconnect_tester.core.profile_model import Profile
from idconnect_tester.core.target import Target, base_url_problem, is_loopback_host


@pytest.mark.parametrize(
    "url",
    [
        "https://api.sumsub.com",
        "https://api.sumsub.com/",
        "http://127.0.0.1:8088",
        "http://localhost:1",
        "http://[::1]:8080",
        "http://127.5.6.7",
        "https://proxy.corp/sumsub",
        "  https://api.sumsub.com \n",  # pasted with the line's end: trimmed, not refused
    ],
)
def test_usable_base_urls(url: str) -> None:
    assert base_url_problem(url) is None


@pytest.mark.parametrize(
    ("url", "fragment"),
    [
        ("", "Enter a base URL"),
        ("http://api.sumsub.com", "only allowed to this machine"),
        ("http://10.0.0.1:8080", "use https://10.0.0.1:8080"),
        ("ftp://x", "must start with https://"),
        ("api.sumsub.com", "must start with https://"),
        ("https://", "no host"),
        ("https://h:99999", "Not a valid URL"),
        ("https://h/?a=1", "query"),
    ],
)
def test_refused_base_urls(url: str, fragment: str) -> None:
    problem = base_url_problem(url)
    assert problem is not None and fragment in problem


@pytest.mark.parametrize(
    ("url", "named"),
    [
        ("https://api sumsub.com/ my path", "a space (character 12)"),
        ("https://api.sumsub.com/a b", "a space"),
        ("https://api.sumsub.com\u200b", "U+200B ZERO WIDTH SPACE"),
        ("https://api.sum\u202esub.com", "U+202E RIGHT-TO-LEFT OVERRIDE"),
        ("https://api.sumsub.com/\tx", "U+0009 (a tab)"),
        ("http://127.0.0.1:8088/\x00", "U+0000"),
    ],
)
def test_a_url_with_a_space_or_a_hidden_character_is_refused_and_the_character_named(
    url: str, named: str
) -> None:
    """Sent as typed it would be percent-encoded into another host or path (api%20sumsub.com)
    and fail as a name lookup that doesn't say why: refused before, with the character."""
    for problem in (
        base_url_problem(url),
        endpoint_problem(url),
        url_problem(url, "issuer"),
        Profile(id="p", name="p", base_url=url, app_token="t", redirect_uri=url)
        .problems()
        .get("redirect_uri"),
    ):
        assert problem is not None and named in problem, problem


def test_loopback_detection() -> None:
    assert is_loopback_host("localhost") and is_loopback_host("LocalHost")
    assert is_loopback_host("[::1]") and is_loopback_host("127.0.0.2")
    assert not is_loopback_host("127.0.0.1.nip.io") and not is_loopback_host("example.com")


@pytest.mark.parametrize("host", ["app.localhost", "localhost.localdomain", "localhost."])
def test_names_that_dns_could_answer_are_not_loopback(host: str) -> None:
    # Only the OS answers for "localhost" itself; these may be resolved by a DNS server to any
    # address, so plain http to them would leave the machine in clear text.
    assert not is_loopback_host(host)
    problem = base_url_problem(f"http://{host}:8088")
    assert problem is not None and "only allowed to this machine" in problem


def test_target_problems_name_the_fields_and_hide_the_secret() -> None:
    target = Target("http://example.com", " ", Secret(""), timeout_s=0)
    assert set(target.problems()) == {"base_url", "app_token", "secret_key", "timeout"}
    ok = Target("https://api.sumsub.com/", "sbx:abc", Secret("top-secret"))
    assert ok.problems() == {}
    assert ok.url_for("/x") == "https://api.sumsub.com/x"
    assert "top-secret" not in repr(ok)


def test_an_app_token_that_cannot_travel_in_a_header_is_refused() -> None:
    target = Target("https://api.sumsub.com", "sbx:tökén", Secret("k"))
    assert "header" in target.problems()["app_token"]


def test_a_ca_bundle_that_cannot_be_loaded_is_named_with_what_to_do(tmp_path: Path) -> None:
    def problem(bundle: Path, *, verify_tls: bool = True) -> str | None:
        target = Target(
            "https://api.sumsub.com",
            "sbx:abc",
            Secret("k"),
            verify_tls=verify_tls,
            ca_bundle=str(bundle),
        )
        return target.problems().get("ca_bundle")

    missing = tmp_path / "nonexistent.pem"
    said = problem(missing) or ""
    assert str(missing) in said and "does not exist" in said and "PEM file" in said
    assert "is a folder" in (problem(tmp_path) or "")
    assert problem(missing, verify_tls=False) is None  # not used when verification is off
    present = tmp_path / "proxy-ca.pem"
    present.write_text("-----BEGIN CERTIFICATE-----\n")
    assert problem(present) is None
