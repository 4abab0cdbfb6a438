"""The doorman to the harness's servers (`mdverify.run.bridge`): those, and nothing else."""

from __future__ import annotations

import errno
import os
import socket

import pytest

from mdverify.run import bridge


@pytest.fixture
def listeners():
    """Two listeners on loopback: the first declared, the second not."""
    found = [socket.create_server(("127.0.0.1", 0)) for _ in range(2)]
    yield found
    for listener in found:
        listener.close()


def _port(listener: socket.socket) -> int:
    return listener.getsockname()[1]


def test_a_declared_server_is_reached_and_an_undeclared_one_is_refused(listeners):
    declared, other = listeners
    other.settimeout(0.5)
    door = bridge.open_bridge(frozenset({("127.0.0.1", _port(declared))}))
    try:
        fd = bridge.connect(door.fd, "127.0.0.1", _port(declared))
        with socket.socket(fileno=fd) as client:
            accepted, _ = declared.accept()
            client.sendall(b"ping")
            assert accepted.recv(4) == b"ping"
            accepted.close()
        # The example holds the doorman's socket too, and may ask for anything: refused.
        with pytest.raises(OSError) as refused:
            bridge.connect(door.fd, "127.0.0.1", _port(other))
        assert refused.value.errno == errno.EACCES
        with pytest.raises(TimeoutError):
            other.accept()
    finally:
        door.close()


def test_a_declared_server_that_is_gone_is_connection_refused(listeners):
    declared, _ = listeners
    port = _port(declared)
    declared.close()
    door = bridge.open_bridge(frozenset({("127.0.0.1", port)}))
    try:
        with pytest.raises(OSError) as refused:
            bridge.connect(door.fd, "127.0.0.1", port)
        assert refused.value.errno == errno.ECONNREFUSED
    finally:
        door.close()


def test_the_example_s_socket_takes_the_connection_in_place(listeners):
    declared, _ = listeners
    door = bridge.open_bridge(frozenset({("127.0.0.1", _port(declared))}))
    try:
        with socket.socket() as sock:
            sock.setblocking(False)
            fd = sock.fileno()
            assert door.take(sock, ("127.0.0.1", _port(declared)))
            assert sock.fileno() == fd
            assert sock.getblocking() is False  # what asyncio set stays set
            assert sock.getpeername() == ("127.0.0.1", _port(declared))
            assert not door.take(sock, ("127.0.0.1", 9))  # not declared: the caller connects
    finally:
        door.close()


def test_the_doorman_ends_with_the_bridge():
    door = bridge.open_bridge(frozenset())
    pid = door.pid
    assert pid is not None
    door.close()
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)


def test_the_inward_doorman_connects_the_parent_to_a_loopback_port(listeners, tmp_path):
    server, _ = listeners
    closed = socket.create_server(("127.0.0.1", 0))
    gone = _port(closed)
    closed.close()
    listener = bridge.listen_inward(str(tmp_path))
    assert listener is not None
    pid = bridge.open_inward(listener)
    try:
        with bridge.connect_inward(str(tmp_path), "127.0.0.1", _port(server), 5.0) as sock:
            assert sock.getblocking() is False  # for the parent's select
            accepted, _ = server.accept()
            accepted.sendall(b"hi")
            accepted.close()
            sock.setblocking(True)
            assert sock.recv(2) == b"hi"
        with pytest.raises(OSError) as refused:
            bridge.connect_inward(str(tmp_path), "0.0.0.0", gone, 5.0)
        assert refused.value.errno == errno.ECONNREFUSED
    finally:
        os.kill(pid, 9)
        os.waitpid(pid, 0)


@pytest.mark.skipif(not socket.has_ipv6, reason="no IPv6 here")
def test_the_inward_doorman_reaches_a_server_that_listens_on_ipv6_only(tmp_path):
    # asyncio's server of both families may report its IPv6 socket first, while the IPv4
    # one does not listen yet: the doorman must connect where the event says.
    try:
        server = socket.create_server(("::1", 0), family=socket.AF_INET6)
    except OSError:
        pytest.skip("no IPv6 loopback here")
    listener = bridge.listen_inward(str(tmp_path))
    assert listener is not None
    pid = bridge.open_inward(listener)
    try:
        with server, bridge.connect_inward(str(tmp_path), "::", _port(server), 5.0) as sock:
            accepted, _ = server.accept()
            accepted.sendall(b"v6")
            accepted.close()
            sock.setblocking(True)
            assert sock.recv(2) == b"v6"
    finally:
        os.kill(pid, 9)
        os.waitpid(pid, 0)


def test_a_folder_too_deep_for_a_unix_socket_gets_none(tmp_path):
    deep = tmp_path / ("d" * 120)
    deep.mkdir()
    assert bridge.listen_inward(str(deep)) is None
