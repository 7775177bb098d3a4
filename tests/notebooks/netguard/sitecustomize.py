"""Loaded into every Python process of the notebook run (kernels included) via PYTHONPATH.

With COURSE_NETGUARD=1, any connection to an address outside loopback raises, so a notebook
that tried to reach AWS (or anything else) fails loudly instead of quietly leaving the machine.
"""

import os
import socket

if os.environ.get("COURSE_NETGUARD") == "1":
    _connect = socket.socket.connect
    _connect_ex = socket.socket.connect_ex

    def _allowed(address):
        if not isinstance(address, tuple):
            return True  # Unix sockets (the kernel's own transport) stay local by nature
        host = str(address[0])
        return host.startswith("127.") or host in ("localhost", "::1", "0.0.0.0", "")

    def connect(self, address):
        if not _allowed(address):
            raise ConnectionRefusedError(f"course network guard: connection to {address!r} refused (nothing may leave the machine)")
        return _connect(self, address)

    def connect_ex(self, address):
        if not _allowed(address):
            raise ConnectionRefusedError(f"course network guard: connection to {address!r} refused (nothing may leave the machine)")
        return _connect_ex(self, address)

    socket.socket.connect = connect
    socket.socket.connect_ex = connect_ex
