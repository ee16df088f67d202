"""Run a process in a network namespace that has only loopback, bridged to the host's
loopback through unix sockets.

kwok gives pods and Services private addresses (10.x) that nothing here may connect to.
An operator that polls its pods would try exactly that, so it runs in a fresh network
namespace (`unshare --net`) whose only interface is `lo`: a connection to any other
address fails in the kernel with ENETUNREACH and no packet leaves. What the operator must
reach is bridged in by byte-for-byte forwarders over unix sockets, which are files and
so cross namespaces:

    host netns                                   operator netns (lo only)
    127.0.0.1:API  <-- unix api.sock <--         127.0.0.1:API  <- operator (kubeconfig)
    127.0.0.1:HOOK --> unix hook.sock -->        127.0.0.1:HOOK -> operator's webhooks

TLS passes through untouched, so the API server's certificate (SAN 127.0.0.1) and the
webhooks' test CA are checked end to end.

Run as a program it is one side of the bridge:

    python loopback_netns.py [--loopback-up] --forward LISTEN=CONNECT ... [-- COMMAND ...]

with LISTEN and CONNECT each `tcp:127.0.0.1:PORT` or `unix:PATH`. With `--loopback-up`
(inside `unshare --net`) it first sets `lo` up. With a COMMAND it runs it in a process
group of its own and exits with its status (a TERM is passed on to that group); without
one it forwards until it is terminated. It prints `ready` once every listener is bound.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import fcntl
import os
import signal
import socket
import struct
import subprocess
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

SIOCGIFFLAGS, SIOCSIFFLAGS, IFF_UP = 0x8913, 0x8914, 0x1
LOOPBACK_HOSTS = ("127.0.0.1",)
TERM_GRACE_SECONDS = 10


@dataclass(frozen=True)
class Endpoint:
    kind: str  # "tcp" or "unix"
    host: str
    port: int
    path: str

    @classmethod
    def parse(cls, text: str) -> Endpoint:
        kind, _, rest = text.partition(":")
        if kind == "unix" and rest:
            return cls("unix", "", 0, rest)
        if kind == "tcp":
            host, _, port = rest.rpartition(":")
            if host not in LOOPBACK_HOSTS:
                raise ValueError(f"{text}: only loopback ({', '.join(LOOPBACK_HOSTS)}) is allowed")
            return cls("tcp", host, int(port), "")
        raise ValueError(f"{text}: expected tcp:127.0.0.1:PORT or unix:PATH")

    async def open(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        if self.kind == "unix":
            return await asyncio.open_unix_connection(self.path)
        return await asyncio.open_connection(self.host, self.port)

    async def serve(
        self, handler: Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]
    ) -> asyncio.Server:
        if self.kind == "unix":
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.path)
            return await asyncio.start_unix_server(handler, self.path)
        return await asyncio.start_server(handler, self.host, self.port, reuse_address=True)


def loopback_up() -> None:
    """`ip link set lo up`, without iproute2: a new network namespace starts with lo down."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        request = struct.pack("16sH14x", b"lo", 0)
        flags = struct.unpack("16sH14x", fcntl.ioctl(sock, SIOCGIFFLAGS, request))[1]
        fcntl.ioctl(sock, SIOCSIFFLAGS, struct.pack("16sH14x", b"lo", flags | IFF_UP))


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while chunk := await reader.read(65536):
            writer.write(chunk)
            await writer.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        with contextlib.suppress(OSError, RuntimeError):
            if writer.can_write_eof():
                writer.write_eof()


async def _forward(listen: Endpoint, connect: Endpoint) -> asyncio.Server:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            upstream_reader, upstream_writer = await connect.open()
        except OSError:
            writer.close()
            return
        await asyncio.gather(_pipe(reader, upstream_writer), _pipe(upstream_reader, writer))
        for w in (writer, upstream_writer):
            with contextlib.suppress(OSError):
                w.close()

    return await listen.serve(handle)


async def _main(args: argparse.Namespace) -> int:
    if args.loopback_up:
        loopback_up()
    pairs = []
    for spec in args.forward:
        listen, sep, connect = spec.partition("=")
        if not sep:
            raise SystemExit(f"--forward {spec}: expected LISTEN=CONNECT")
        pairs.append((Endpoint.parse(listen), Endpoint.parse(connect)))
    servers = [await _forward(listen, connect) for listen, connect in pairs]
    print("ready", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        await stop.wait()
        status = 0
    else:
        child = subprocess.Popen(command, start_new_session=True)
        waiting = asyncio.ensure_future(asyncio.to_thread(child.wait))
        stopping = asyncio.ensure_future(stop.wait())
        await asyncio.wait({waiting, stopping}, return_when=asyncio.FIRST_COMPLETED)
        if not waiting.done():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(child.pid, signal.SIGTERM)
            try:
                await asyncio.wait_for(asyncio.shield(waiting), TERM_GRACE_SECONDS)
            except TimeoutError:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(child.pid, signal.SIGKILL)
        status = await waiting
        stopping.cancel()
    for server in servers:
        server.close()
    return status


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--loopback-up", action="store_true", help="set lo up first")
    parser.add_argument("--forward", action="append", default=[], metavar="LISTEN=CONNECT")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    return asyncio.run(_main(parser.parse_args(argv)))


if __name__ == "__main__":
    sys.exit(main())
