"""Certificates for `https://` to declared hosts: a session CA that only the child trusts.

`LocalCA.create()` makes a throw-away certificate authority with the `openssl` command
(no Python dependency), and `context(host)` a server context whose certificate, signed
by it, names that host. The local web server picks the context by SNI. The child gets
`SSL_CERT_FILE` pointing at the CA, which OpenSSL's default verify paths (and so
`ssl.create_default_context()`, aiohttp, urllib) read instead of the system's store:
certificates are verified for real, and nothing outside the session trusts the CA.
The extensions satisfy Python 3.13's strict X.509 checks.
"""

from __future__ import annotations

import shutil
import ssl
import subprocess
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

__all__ = ["LocalCA"]

_CONFIG = """\
[req]
distinguished_name = dn
prompt = no
[dn]
CN = mdverify session CA
[ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[leaf]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
subjectAltName = DNS:{host}
"""
_KEY = ("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes")


class LocalCA:
    """A certificate authority for one session, kept in `directory`."""

    def __init__(self, directory: Path, openssl: str) -> None:
        self.directory = directory
        self.ca_file = directory / "ca.pem"
        self._openssl = openssl
        self._contexts: dict[str, ssl.SSLContext] = {}
        self._lock = threading.Lock()

    @classmethod
    def create(cls, directory: Path) -> LocalCA | None:
        """A new CA in `directory`; None when the `openssl` command is not installed."""
        openssl = shutil.which("openssl")
        if openssl is None:
            return None
        ca = cls(directory, openssl)
        ca._config("localhost")
        ca._run(
            *("req", "-x509", *_KEY, "-keyout", "ca.key", "-out", "ca.pem", "-days", "2"),
            *("-config", "openssl.cnf", "-extensions", "ca"),
        )
        return ca

    def context(self, host: str) -> ssl.SSLContext:
        """A server context with a certificate for `host` (made on first use)."""
        with self._lock:
            if host not in self._contexts:
                self._contexts[host] = self._leaf(host)
            return self._contexts[host]

    def _leaf(self, host: str) -> ssl.SSLContext:
        self._config(host)
        key, csr, cert = f"{host}.key", f"{host}.csr", f"{host}.pem"
        self._run(
            *("req", *_KEY, "-keyout", key, "-out", csr),
            *("-subj", f"/CN={host}", "-config", "openssl.cnf"),
        )
        self._run(
            *("x509", "-req", "-in", csr, "-CA", "ca.pem", "-CAkey", "ca.key"),
            *("-CAcreateserial", "-out", cert, "-days", "2", "-extensions", "leaf"),
            *("-extfile", "openssl.cnf"),
        )
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.directory / cert, self.directory / key)
        return context

    def _config(self, host: str) -> None:
        path = self.directory / "openssl.cnf"
        path.write_text(_CONFIG.format(host=host), encoding="utf-8")

    def _run(self, *args: str) -> None:
        result = subprocess.run(  # noqa: S603 -- the openssl command, no shell
            [self._openssl, *args],
            cwd=self.directory,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise OSError(f"openssl {args[0]} failed: {result.stderr.strip()}")
