"""Articles that run at once each have a port space of their own: fixed ports never collide."""

from __future__ import annotations

import socket

import pytest

from mdverify.run import netmap

# Each article binds the same fixed port, says it is there, waits (real time, a bounded
# poll) until the other one is there too, then talks to its own server.
MEET = """
    # {name}

    ```python
    import os
    import pathlib
    import select
    import socket

    server = socket.create_server(("127.0.0.1", 8765))
    here = pathlib.Path(os.environ["RENDEZVOUS"])
    (here / "{name}").touch()
    for _ in range(3000):
        if (here / "{other}").exists():
            break
        select.select([], [], [], 0.01)
    print("met" if (here / "{other}").exists() else "alone")
    client = socket.create_connection(("localhost", 8765))
    conn, _ = server.accept()
    client.sendall(b"{name}")
    print(conn.recv(16).decode())
    ```

    ```text
    met
    {name}
    ```
    """


@pytest.mark.parametrize("start", ["warm", "cold"])
def test_two_articles_serving_one_fixed_port_at_once_both_pass(
    pytester, article, monkeypatch, start
):
    article("a.md", MEET.format(name="a", other="b"))
    article("b.md", MEET.format(name="b", other="a"))
    monkeypatch.setenv("RENDEZVOUS", str(pytester.path))
    # Two xdist workers, one article each: the two run at the same time whatever the cores.
    result = pytester.runpytest_subprocess(
        "-n", "2", "--dist", "loadfile", f"--mdverify-start={start}",
        "--mdverify-pass-env=RENDEZVOUS", "--mdverify-timeout=60",
        # The two meet through files of the tree, which the sandbox makes read-only.
        "--mdverify-sandbox=off",
    )  # fmt: skip
    result.assert_outcomes(passed=2)


@pytest.fixture
def mapping(monkeypatch):
    """netmap's port mapping on, as in a child without a namespace of its own."""
    for name, value in (("remap_all", True), ("remapping", False), ("ports", {}), ("asked", {})):
        monkeypatch.setattr(netmap._State, name, value)
    monkeypatch.setattr(netmap._State, "shown", {})
    monkeypatch.setattr(netmap._State, "listeners", {})
    monkeypatch.setattr(netmap._State, "report", None)
    for name, method in (("bind", netmap._bind), ("connect", netmap._connect)):
        monkeypatch.setattr(socket.socket, name, method)
    monkeypatch.setattr(socket.socket, "getsockname", netmap._getsockname)
    monkeypatch.setattr(socket.socket, "listen", netmap._listen)


def test_without_a_namespace_a_fixed_port_is_mapped_to_a_free_one_behind_its_address(mapping):
    holder = socket.socket()
    holder.bind(("127.0.0.1", 0))
    taken = socket.socket.getsockname(holder)[1]  # another article's server has the port
    holder.listen()
    server = socket.socket()
    try:
        server.bind(("0.0.0.0", taken))  # what tutorials write; mapped to loopback
        server.listen()
        assert server.getsockname() == ("0.0.0.0", taken)
        with socket.create_connection(("127.0.0.1", taken)) as client:
            conn, _ = server.accept()  # our server got it, not the other article's
            client.sendall(b"ours")
            assert conn.recv(4) == b"ours"
            conn.close()
    finally:
        server.close()
        holder.close()
