"""A TCP proxy on 127.0.0.1 that makes a real server fail on demand.

    proxy = TcpProxy("127.0.0.1", 5432); proxy.start()
    url = f"postgresql+psycopg://postgres@127.0.0.1:{proxy.port}/test"
    proxy.mode = "hang"     # accepts connections and never answers; open ones stall
    proxy.mode = "refuse"   # resets every connection, new and open (the server is "down")
    proxy.mode = "forward"  # back to normal; stalled connections resume

Only the proxy misbehaves: the server behind it is the real one.
"""

from __future__ import annotations

import contextlib
import select
import socket
import struct
import threading
import time

MODES = ("forward", "hang", "refuse")


def _reset(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    with contextlib.suppress(OSError):
        sock.close()


class TcpProxy:
    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.mode = "forward"
        self.connections = 0  # accepted so far
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(128)
        self._listener.settimeout(0.05)
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    @property
    def port(self) -> int:
        return self._listener.getsockname()[1]

    def start(self) -> TcpProxy:
        t = threading.Thread(target=self._accept, daemon=True)
        t.start()
        self._threads.append(t)
        return self

    def close(self) -> None:
        self._stop.set()
        with contextlib.suppress(OSError):
            self._listener.close()

    def __enter__(self) -> TcpProxy:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            if self.mode == "refuse":
                _reset(client)
                continue
            t = threading.Thread(target=self._relay, args=(client,), daemon=True)
            t.start()

    def _relay(self, client: socket.socket) -> None:
        upstream: socket.socket | None = None
        try:
            while not self._stop.is_set():
                if self.mode == "refuse":
                    return
                if self.mode == "hang":
                    time.sleep(0.02)  # read nothing, answer nothing
                    continue
                if upstream is None:
                    upstream = socket.create_connection(self.target, timeout=5)
                readable, _, _ = select.select([client, upstream], [], [], 0.05)
                for sock in readable:
                    if self.mode != "forward":
                        break
                    data = sock.recv(65536)
                    if not data:
                        return
                    (upstream if sock is client else client).sendall(data)
        except OSError:
            return
        finally:
            _reset(client)
            if upstream is not None:
                _reset(upstream)
