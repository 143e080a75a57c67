"""Loaded via PYTHONPATH by tests: blocks and records any network use beyond this machine.

Each attempt to resolve or connect to a non-loopback address is appended to the file named by
``NETGUARD_LOG`` and fails with ``OSError``, so a test can assert that nothing was attempted.
"""

import os
import socket

_LOG = os.environ.get("NETGUARD_LOG")
_LOCAL = {"localhost", "127.0.0.1", "::1", "", None}


def _is_local(host) -> bool:
    host = host.decode() if isinstance(host, bytes) else host
    return host in _LOCAL or str(host).startswith("127.")


def _blocked(kind: str, host) -> OSError:
    if _LOG:
        with open(_LOG, "a", encoding="utf-8") as log:
            log.write(f"{os.getpid()} {kind} {host}\n")
    return OSError(f"network access blocked by the test guard: {kind} {host}")


_getaddrinfo = socket.getaddrinfo
_connect = socket.socket.connect
_connect_ex = socket.socket.connect_ex
_sendto = socket.socket.sendto


def getaddrinfo(host, *args, **kwargs):
    if not _is_local(host):
        raise _blocked("getaddrinfo", host)
    return _getaddrinfo(host, *args, **kwargs)


def _check(sock, address, kind):
    if sock.family in (socket.AF_INET, socket.AF_INET6) and not _is_local(address[0]):
        raise _blocked(kind, address[0])


def connect(self, address):
    _check(self, address, "connect")
    return _connect(self, address)


def connect_ex(self, address):
    _check(self, address, "connect_ex")
    return _connect_ex(self, address)


def sendto(self, data, *args):
    _check(self, args[-1], "sendto")
    return _sendto(self, data, *args)


socket.getaddrinfo = getaddrinfo
socket.socket.connect = connect
socket.socket.connect_ex = connect_ex
socket.socket.sendto = sendto
