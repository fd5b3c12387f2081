"""A TCP relay between clients and a server, which a test can cut or make refuse.

Put between the transport and RabbitMQ, it breaks the connection the way a network or a
broker restart does, without ``rabbitmqctl`` and without touching the broker itself:

- ``cut()`` closes every relayed connection at once; new ones are relayed again;
- ``refuse()`` closes them and every new one as soon as it is accepted (broker unreachable),
  until ``restore()``;
- ``hold_replies()`` stops relaying from the server to the clients of the connections open
  now, while still relaying what the clients send: the broker takes a publish and its
  confirm goes nowhere, until ``cut()`` (a confirm lost in a broker restart).

One thread relays everything through a selector. ``cut`` and ``refuse`` return once done.
"""

from __future__ import annotations

import selectors
import socket
import threading
from collections.abc import Callable
from urllib.parse import urlsplit, urlunsplit


class TcpProxy:
    def __init__(self, target_host: str, target_port: int) -> None:
        self._target = (target_host, target_port)
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._listener.getsockname()[1]
        self._selector = selectors.DefaultSelector()
        self._selector.register(self._listener, selectors.EVENT_READ)
        self._wake_reader, self._wake_writer = socket.socketpair()
        self._selector.register(self._wake_reader, selectors.EVENT_READ)
        self._peers: dict[socket.socket, socket.socket] = {}
        self._servers: set[socket.socket] = set()
        self._held: set[socket.socket] = set()
        self.sent_while_held = 0
        """Bytes relayed from clients to the server since ``hold_replies``."""
        self._refusing = False
        self._running = True
        self._requests: list[tuple[Callable[[], None], threading.Event]] = []
        self._lock = threading.Lock()
        self.connections_accepted = 0
        self._thread = threading.Thread(target=self._relay, name="tcp-proxy", daemon=True)
        self._thread.start()

    @classmethod
    def in_front_of(cls, url: str) -> TcpProxy:
        parts = urlsplit(url)
        return cls(parts.hostname or "127.0.0.1", parts.port or 5672)

    def url_for(self, url: str) -> str:
        """``url`` with its host and port replaced by this proxy's."""
        parts = urlsplit(url)
        credentials = parts.netloc.rpartition("@")[0]
        netloc = f"{credentials}@127.0.0.1:{self.port}" if credentials else f"127.0.0.1:{self.port}"
        return urlunsplit(parts._replace(netloc=netloc))

    def cut(self) -> None:
        self._on_relay_thread(self._close_all)

    def hold_replies(self) -> None:
        def hold() -> None:
            self.sent_while_held = 0
            for server in self._servers - self._held:
                self._selector.unregister(server)
                self._held.add(server)

        self._on_relay_thread(hold)

    def refuse(self) -> None:
        def refuse() -> None:
            self._refusing = True
            self._close_all()

        self._on_relay_thread(refuse)

    def restore(self) -> None:
        def restore() -> None:
            self._refusing = False

        self._on_relay_thread(restore)

    def close(self) -> None:
        def stop() -> None:
            self._running = False
            self._close_all()

        self._on_relay_thread(stop)
        self._thread.join()
        for sock in (self._listener, self._wake_reader, self._wake_writer):
            sock.close()
        self._selector.close()

    # --- the relay thread -----------------------------------------------------------------

    def _on_relay_thread(self, request: Callable[[], None]) -> None:
        done = threading.Event()
        with self._lock:
            self._requests.append((request, done))
        self._wake_writer.send(b"\0")
        if not done.wait(30):
            raise TimeoutError("the proxy thread did not answer")

    def _relay(self) -> None:
        while self._running:
            for key, _events in self._selector.select():
                sock = key.fileobj
                if sock is self._listener:
                    self._accept()
                elif sock is self._wake_reader:
                    self._wake_reader.recv(4096)
                    self._run_requests()
                elif isinstance(sock, socket.socket) and sock in self._peers:
                    self._forward(sock)  # (a socket closed earlier in this round is not)

    def _run_requests(self) -> None:
        with self._lock:
            requests, self._requests = self._requests, []
        for request, done in requests:
            request()
            done.set()

    def _accept(self) -> None:
        client, _address = self._listener.accept()
        self.connections_accepted += 1
        if self._refusing:
            client.close()
            return
        try:
            server = socket.create_connection(self._target, timeout=10)
        except OSError:
            client.close()
            return
        server.settimeout(None)
        self._servers.add(server)
        for one, other in ((client, server), (server, client)):
            self._peers[one] = other
            self._selector.register(one, selectors.EVENT_READ)

    def _forward(self, sock: socket.socket) -> None:
        peer = self._peers[sock]
        try:
            data = sock.recv(65536)
            if data:
                peer.sendall(data)
                if self._held and peer in self._servers:
                    self.sent_while_held += len(data)
                return
        except OSError:
            pass
        self._close_pair(sock)

    def _close_all(self) -> None:
        for sock in list(self._peers):
            if sock in self._peers:
                self._close_pair(sock)

    def _close_pair(self, sock: socket.socket) -> None:
        peer = self._peers.pop(sock)
        self._peers.pop(peer, None)
        for one in (sock, peer):
            if one in self._held:
                self._held.discard(one)
            else:
                self._selector.unregister(one)
            self._servers.discard(one)
            one.close()
