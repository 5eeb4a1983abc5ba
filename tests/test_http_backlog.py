"""A burst of connections arriving together (Slack posting a thousand slash commands at once) is taken by the kernel
while the event loop is busy, instead of being dropped and retried seconds later (issue 22)."""

from __future__ import annotations

import select
import socket

from aiohttp import web

from bot.runtime import start_http_server

BURST = 600  # well past the 128 a listening socket queues by default


async def test_connections_arriving_together_are_queued_while_the_loop_is_busy() -> None:
    runner = await start_http_server(web.Application(), "127.0.0.1", 0)
    assert runner is not None
    port = runner.addresses[0][1]
    clients = []
    try:
        # the loop is held here, as a busy bot's is: nothing is accepted until the kernel's queue gives out
        for _ in range(BURST):
            client = socket.socket()
            client.setblocking(False)
            client.connect_ex(("127.0.0.1", port))
            clients.append(client)
        pending = set(clients)
        for _ in range(50):  # the handshakes complete in the kernel; a dropped one would wait a second for a retry
            _, writable, _ = select.select([], list(pending), [], 0.01)
            pending -= set(writable)
            if not pending:
                break
        assert not pending, f"{len(pending)} of {BURST} connections were not taken"
    finally:
        for client in clients:
            client.close()
        await runner.cleanup()
