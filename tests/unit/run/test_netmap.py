"""Name resolution and addresses inside the child: `mdverify.run.netmap`."""

import errno
import socket
import threading

import pytest

from mdverify.run import netmap
from mdverify.run.events import Offline


@pytest.fixture
def hosts(monkeypatch):
    monkeypatch.setattr(netmap._State, "hosts", {"example.com": 4321})
    monkeypatch.setattr(netmap._State, "ports", {})
    monkeypatch.setattr(netmap._State, "tls_port", None)


def test_a_declared_host_on_port_80_resolves_to_the_local_server(hosts):
    infos = netmap._getaddrinfo("Example.COM.", 80, 0, socket.SOCK_STREAM)
    assert [info[4] for info in infos] == [("127.0.0.1", 4321)]


def test_a_host_not_in_the_map_fails_naming_it_and_the_declared_ones(hosts):
    with pytest.raises(socket.gaierror) as info:
        netmap._getaddrinfo("python.org", 80)
    assert str(info.value.args[1]) == (
        "mdverify: examples run offline; python.org is not reachable "
        "(this article declares hosts: example.com; "
        "add it under hosts: in the front matter to serve local pages)"
    )


def test_https_to_a_declared_host_says_it_is_served_over_http_only(hosts):
    with pytest.raises(socket.gaierror, match="plain HTTP only"):
        netmap._getaddrinfo("example.com", 443)


def test_port_443_of_a_declared_host_leads_to_the_https_server(hosts, monkeypatch):
    monkeypatch.setattr(netmap._State, "tls_port", 4443)
    infos = netmap._getaddrinfo("example.com", "https", 0, socket.SOCK_STREAM)
    assert [info[4] for info in infos] == [("127.0.0.1", 4443)]


def test_another_port_of_a_declared_host_is_an_error_naming_it(hosts):
    with pytest.raises(socket.gaierror, match="ports 80 and 443 only, not 8080"):
        netmap._getaddrinfo("example.com", 8080)


def test_loopback_names_resolve_as_usual(hosts):
    infos = netmap._getaddrinfo("localhost", 5432, socket.AF_INET, socket.SOCK_STREAM)
    assert {info[4] for info in infos} == {("127.0.0.1", 5432)}


def test_a_port_a_checked_server_asked_for_leads_to_its_real_port(hosts, monkeypatch):
    monkeypatch.setattr(netmap._State, "ports", {8080: 40001})
    infos = netmap._getaddrinfo("localhost", 8080, socket.AF_INET, socket.SOCK_STREAM)
    assert {info[4] for info in infos} == {("127.0.0.1", 40001)}
    sock = socket.socket()
    try:
        assert netmap._checked_address(sock, ("127.0.0.1", 8080)) == ("127.0.0.1", 40001)
    finally:
        sock.close()


def test_connecting_to_an_address_that_is_not_loopback_is_unreachable(hosts):
    sock = socket.socket()
    try:
        with pytest.raises(OSError, match=r"10\.1\.2\.3 is not reachable") as info:
            netmap._checked_address(sock, ("10.1.2.3", 80))
    finally:
        sock.close()
    assert info.value.errno == errno.ENETUNREACH


def test_each_undeclared_host_a_block_tries_is_reported_once(hosts, monkeypatch):
    events = []
    monkeypatch.setattr(netmap._State, "report", events.append)
    monkeypatch.setattr(netmap._State, "serve_blocks", frozenset())
    netmap.begin_block(0)
    sock = socket.socket()
    try:
        for _ in range(2):
            with pytest.raises(socket.gaierror):
                netmap._getaddrinfo("python.org", 80)
            with pytest.raises(OSError):
                netmap._checked_address(sock, ("10.1.2.3", 80))
        netmap._getaddrinfo("example.com", 80)  # declared: not refused
        netmap.begin_block(1)
        with pytest.raises(socket.gaierror):
            netmap._getaddrinfo("python.org", 80)
    finally:
        sock.close()
    assert events == [Offline("python.org", 0), Offline("10.1.2.3", 0), Offline("python.org", 1)]


def test_a_thread_tries_a_host_for_the_block_that_started_it(hosts, monkeypatch):
    events = []
    monkeypatch.setattr(netmap._State, "report", events.append)
    monkeypatch.setattr(netmap._State, "serve_blocks", frozenset())
    go, tried = threading.Event(), []

    def fetch():
        go.wait()
        with pytest.raises(socket.gaierror):
            netmap._getaddrinfo("python.org", 80)
        tried.append(True)

    netmap.begin_block(3)
    thread = threading.Thread(target=fetch)
    netmap._noting_start(threading.Thread.start)(thread)
    netmap.begin_block(4)  # the next block lets the thread go on and joins it
    go.set()
    thread.join()
    assert tried
    assert events == [Offline("python.org", 3)]


def test_the_clocks_uninstall_undoes_netmaps_patches_too(monkeypatch):
    from mdverify import clock  # noqa: PLC0415 - the clock is not netmap's subject here
    from mdverify.clock.installer import uninstall  # noqa: PLC0415

    for name in ("hosts", "tls_port", "serve_blocks", "report"):
        monkeypatch.setattr(netmap._State, name, getattr(netmap._State, name))
    names = ("connect", "connect_ex", "bind", "listen", "getsockname")
    before = [socket.getaddrinfo, *(getattr(socket.socket, name) for name in names)]
    netmap.route(None, lambda _event: None)
    clock.install("virtual")
    try:
        assert socket.getaddrinfo is netmap._getaddrinfo
        assert socket.socket.connect is netmap._connect
    finally:
        uninstall()
    assert [socket.getaddrinfo, *(getattr(socket.socket, name) for name in names)] == before


@pytest.fixture
def remapped(hosts, monkeypatch):
    for name in ("asked", "shown", "bound", "listeners"):
        monkeypatch.setattr(netmap._State, name, {})
    monkeypatch.setattr(netmap._State, "remap_all", True)


def test_a_later_server_on_the_same_port_gets_a_fresh_real_port(remapped):
    # A server check probes the first server after SIGINT; had the second server taken
    # the same real port, the probe would reach it and blame the first.
    first = socket.socket()
    netmap._bind(first, ("", 8000))
    taken = netmap._State.ports[8000]
    netmap._close(first)
    second = socket.socket()
    try:
        netmap._bind(second, ("", 8000))
        assert netmap._State.ports[8000] != taken
        assert netmap._getsockname(second)[1] == 8000
    finally:
        netmap._close(second)


@pytest.mark.skipif(not socket.has_ipv6, reason="no IPv6")
def test_one_server_in_both_families_shares_one_real_port(remapped):
    v4, v6 = socket.socket(socket.AF_INET), socket.socket(socket.AF_INET6)
    try:
        netmap._bind(v4, ("0.0.0.0", 8000))  # what asyncio binds
        netmap._bind(v6, ("::", 8000))
        assert v4.getsockname()[1] == v6.getsockname()[1] == netmap._State.ports[8000]
    finally:
        netmap._close(v4)
        netmap._close(v6)
