"""The SSRF guard: private, loopback, link-local, multicast, metadata and other non-public addresses are
refused (literal, by name, after a redirect, at connection time) unless private addresses are allowed."""
from __future__ import annotations

import ipaddress

import pytest

from retrieval.web.fetch import FetchError, Fetcher, FetchPolicy
from retrieval.web.guard import non_public_reason
from tests.fakeweb import FakeNewsSite

HINT = "; set FRONTLINE_ALLOW_PRIVATE_URLS=1 to allow private addresses"


def _guarded(**overrides) -> Fetcher:
    values = dict(allow_private=False, connect_timeout=1.0, read_timeout=1.0, total_timeout=3.0, retries=0)
    values.update(overrides)
    return Fetcher(FetchPolicy.for_tests(**values))


LITERALS = [
    ("http://127.0.0.1/", "127.0.0.1 is a loopback address"),
    ("http://127.8.9.10:8080/x", "127.8.9.10 is a loopback address"),
    ("http://[::1]/", "::1 is a loopback address"),
    ("http://10.0.0.5/", "10.0.0.5 is a private address"),
    ("http://172.16.3.4/", "172.16.3.4 is a private address"),
    ("http://192.168.1.1/admin", "192.168.1.1 is a private address"),
    ("http://[fc00::1]/", "fc00::1 is a private address"),
    ("http://169.254.10.20/", "169.254.10.20 is a link-local address"),
    ("http://[fe80::1]/", "fe80::1 is a link-local address"),
    ("http://169.254.169.254/latest/meta-data/", "169.254.169.254 is a cloud metadata address"),
    ("http://[fd00:ec2::254]/latest/meta-data/", "fd00:ec2::254 is a cloud metadata address"),
    ("http://100.100.100.200/latest/meta-data/", "100.100.100.200 is a cloud metadata address"),
    ("http://100.64.0.1/", "100.64.0.1 is a carrier-grade NAT address"),
    ("http://224.0.0.251/", "224.0.0.251 is a multicast address"),
    ("http://[ff02::1]/", "ff02::1 is a multicast address"),
    ("http://0.0.0.0/", "0.0.0.0 is an unspecified address"),
    ("http://240.0.0.1/", "240.0.0.1 is a reserved address"),
    ("http://[::ffff:10.0.0.1]/", "::ffff:10.0.0.1 is an IPv6 form of a private address"),
    ("http://[::ffff:169.254.169.254]/", "::ffff:169.254.169.254 is an IPv6 form of a cloud metadata address"),
]


@pytest.mark.parametrize("url, what", LITERALS, ids=[u for u, _ in LITERALS])
def test_every_class_of_non_public_literal_address_is_refused(url, what):
    with _guarded() as fetcher, pytest.raises(FetchError) as caught:
        fetcher.fetch(url)
    assert str(caught.value) == f"refused: {what}{HINT}"
    assert not caught.value.transient


@pytest.mark.parametrize("url", ["file:///etc/passwd", "gopher://example.com:70/1", "ftp://example.com/a.txt",
                                 "data:text/html,<p>x</p>", "javascript:alert(1)", "ws://example.com/"])
def test_schemes_other_than_http_and_https_are_refused(url):
    with _guarded(allow_private=True) as fetcher, pytest.raises(FetchError, match="refused: only http and https"):
        fetcher.fetch(url)


def test_a_name_that_resolves_to_loopback_is_refused_before_connecting(news_sites):
    site, _ = news_sites
    for host in ("localhost", "2130706433", "0x7f.1"):      # the last two: 127.0.0.1 in other spellings
        with _guarded() as fetcher, pytest.raises(FetchError) as caught:
            fetcher.fetch(f"http://{host}:{site.port}/news/x")
        assert str(caught.value) == f"refused: {host} resolves to a loopback address (127.0.0.1){HINT}"
    assert site.requests == []


def test_private_addresses_are_fetched_when_allowed(news_sites):
    site, _ = news_sites
    with _guarded(allow_private=True) as fetcher:
        result = fetcher.fetch(f"http://localhost:{site.port}{site.article_path(site.stories[0])}")
    assert result.status == 200 and b"Saltivka" in result.content


def test_a_redirect_hop_to_a_private_address_is_refused_and_never_reached(news_sites):
    site, _ = news_sites
    # Only the fake site's own address is trusted, the way an intranet host would be; everything else is
    # refused. The second server listens on 127.0.0.2: it must never see a request.
    with FakeNewsSite("courier", host="127.0.0.2") as inner:
        target = inner.article_url(inner.stories[0])
        hop = site.url(f"/redirect/to?url={target}")
        with _guarded(trusted_networks=("127.0.0.1/32",)) as fetcher:
            with pytest.raises(FetchError) as caught:
                fetcher.fetch(hop)
            assert str(caught.value) == f"refused: 127.0.0.2 is a loopback address{HINT}"
            for private in ("http://10.0.0.5/internal", "http://169.254.169.254/latest/meta-data/",
                            f"http://[::1]:{inner.port}/"):
                with pytest.raises(FetchError, match="^refused: "):
                    fetcher.fetch(site.url(f"/redirect/to?url={private}"))
        assert inner.requests == []
        with _guarded(allow_private=True) as fetcher:
            result = fetcher.fetch(hop)
        assert result.final_url == target and result.redirects == (hop,)
        assert [r.path for r in inner.requests if r.path != "/robots.txt"] == [inner.article_path(inner.stories[0])]


def test_the_address_connected_to_is_the_one_checked(news_sites):
    # A resolver stands in for DNS (there is none here): the guard resolves once, checks every address,
    # and connects to a checked one; the Host header keeps the name.
    site, _ = news_sites
    calls = []

    def resolver(host: str, port: int) -> list[str]:
        calls.append(host)
        return {"news.example": ["127.0.0.1"], "mixed.example": ["93.184.216.34", "10.1.2.3"]}[host]

    url = f"http://news.example:{site.port}{site.article_path(site.stories[0])}"
    with Fetcher(FetchPolicy.for_tests(allow_private=False, retries=0), resolver=resolver) as fetcher:
        with pytest.raises(FetchError) as caught:
            fetcher.fetch(url)
        assert str(caught.value) == f"refused: news.example resolves to a loopback address (127.0.0.1){HINT}"
        with pytest.raises(FetchError) as caught:
            fetcher.fetch(f"http://mixed.example:{site.port}/")
        assert str(caught.value) == f"refused: mixed.example resolves to a private address (10.1.2.3){HINT}"
    assert site.requests == [] and calls == ["news.example", "mixed.example"]
    trusted = FetchPolicy.for_tests(allow_private=False, trusted_networks=("127.0.0.1/32",), retries=0)
    with Fetcher(trusted, resolver=resolver) as fetcher:
        assert fetcher.fetch(url).status == 200
    assert {r.headers["host"] for r in site.requests} == {f"news.example:{site.port}"}


@pytest.mark.parametrize("address, expected", [
    ("8.8.8.8", None),
    ("2606:4700:4700::1111", None),
    ("93.184.216.34", None),
    ("2002:0a00:0001::1", "an IPv6 form of a private address"),      # 6to4 around 10.0.0.1
    ("64:ff9b::7f00:1", "an IPv6 form of a loopback address"),        # NAT64 around 127.0.0.1
    ("192.0.2.10", "a private address"),                              # documentation range
    ("168.63.129.16", "a cloud metadata address"),                    # Azure's wire server (public space)
])
def test_address_classes(address, expected):
    assert non_public_reason(ipaddress.ip_address(address)) == expected
