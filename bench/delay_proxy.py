#!/usr/bin/python3
"""A TCP delay line on 127.0.0.1 that makes a loopback link look like a long one.

Run with /usr/bin/python3 (stdlib only):

    delay_proxy.py --target-port 2525 --delay-ms 10 --port-file F [--stats-file F] [--log F]

Every chunk read from either side is forwarded to the other side D ms after it was read,
in order. Reading never waits for the delay (each direction is a queue with a due time
per chunk, not a sleep per read), so throughput is not throttled: this is a link with a
one-way latency of D ms, i.e. an RTT of 2*D.

Round trips: the proxy counts, per connection, every switch from a client->server burst
to a server->client burst (consecutive reads in one direction form one burst). A lock-step
client sends a command and waits for the reply: one round trip per command. A pipelining
client sends a group and gets the replies in one burst: one round trip per group. The
server's greeting, which comes before the client has sent anything, is not counted, and
the TCP handshake is not delayed (the proxy accepts locally), so a real link adds one
more RTT per connection than measured here, for every client alike.

SIGTERM/SIGINT write the totals to --stats-file (else stdout) and exit; SIGUSR1 writes them
and continues. --log appends one JSON line per finished connection. The proxy exits by
itself after --max-seconds.
"""

import argparse
import asyncio
import json
import os
import signal
import sys

CHUNK = 256 * 1024
C2S, S2C = "c2s", "s2c"


class Totals:
    def __init__(self):
        self.connections = 0
        self.round_trips = 0
        self.bytes = {C2S: 0, S2C: 0}

    def as_dict(self):
        return {"connections": self.connections, "round_trips": self.round_trips,
                "bytes_c2s": self.bytes[C2S], "bytes_s2c": self.bytes[S2C]}


class Link:
    """One proxied connection: two delay lines and the direction of the last burst."""

    def __init__(self, totals, delay, log):
        self.totals = totals
        self.delay = delay
        self.log = log
        self.last_direction = None
        self.round_trips = 0
        self.bytes = {C2S: 0, S2C: 0}

    def on_chunk(self, direction, size):
        if direction == S2C and self.last_direction == C2S:
            self.round_trips += 1
            self.totals.round_trips += 1
        self.last_direction = direction
        self.bytes[direction] += size
        self.totals.bytes[direction] += size

    async def pump(self, direction, reader, writer):
        """Reads chunks as they come and queues each with the time it is due."""
        loop = asyncio.get_running_loop()
        queue = asyncio.Queue()
        sender = asyncio.create_task(self.deliver(queue, writer))
        try:
            while True:
                data = await reader.read(CHUNK)
                if not data:
                    break
                self.on_chunk(direction, len(data))
                queue.put_nowait((loop.time() + self.delay, data))
        except (ConnectionError, OSError):
            pass
        queue.put_nowait((loop.time() + self.delay, None))
        await sender

    async def deliver(self, queue, writer):
        """Writes each chunk when its time comes, in the order read."""
        loop = asyncio.get_running_loop()
        try:
            while True:
                due, data = await queue.get()
                wait = due - loop.time()
                if wait > 0:
                    await asyncio.sleep(wait)
                if data is None:
                    if writer.can_write_eof():
                        writer.write_eof()
                    await writer.drain()
                    return
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            # Keep draining the queue so the reader never blocks on a dead peer.
            while (await queue.get())[1] is not None:
                pass


async def serve(options, totals, log):
    delay = options.delay_ms / 1000.0

    async def handle(client_reader, client_writer):
        totals.connections += 1
        try:
            server_reader, server_writer = await asyncio.open_connection(
                "127.0.0.1", options.target_port)
        except OSError:
            client_writer.close()
            return
        link = Link(totals, delay, log)
        started = asyncio.get_running_loop().time()
        await asyncio.gather(link.pump(C2S, client_reader, server_writer),
                             link.pump(S2C, server_reader, client_writer))
        for w in (client_writer, server_writer):
            w.close()
        if log is not None:
            record = {"round_trips": link.round_trips, "bytes_c2s": link.bytes[C2S],
                      "bytes_s2c": link.bytes[S2C],
                      "seconds": round(asyncio.get_running_loop().time() - started, 6)}
            log.write(json.dumps(record) + "\n")
            log.flush()

    server = await asyncio.start_server(handle, "127.0.0.1", options.port)
    port = server.sockets[0].getsockname()[1]
    if options.port_file:
        tmp = options.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write(f"{port}\n")
        os.rename(tmp, options.port_file)
    else:
        print(port, flush=True)

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_signal_handler(signal.SIGINT, stop.set)
    loop.add_signal_handler(signal.SIGUSR1, lambda: write_stats(options, totals))
    try:
        await asyncio.wait_for(stop.wait(), timeout=options.max_seconds)
    except asyncio.TimeoutError:
        pass
    server.close()
    write_stats(options, totals)


def write_stats(options, totals):
    text = json.dumps(totals.as_dict()) + "\n"
    if not options.stats_file:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    tmp = options.stats_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.rename(tmp, options.stats_file)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target-port", type=int, required=True)
    parser.add_argument("--port", type=int, default=0, help="listen port (0: any free one)")
    parser.add_argument("--port-file", help="where to write the chosen port")
    parser.add_argument("--delay-ms", type=float, default=10.0, help="one-way delay")
    parser.add_argument("--stats-file", help="totals, written on SIGTERM/SIGUSR1 and at exit")
    parser.add_argument("--log", help="append one JSON line per finished connection")
    parser.add_argument("--max-seconds", type=float, default=1800.0,
                        help="exit by itself after this long")
    options = parser.parse_args()
    totals = Totals()
    log = open(options.log, "a") if options.log else None
    asyncio.run(serve(options, totals, log))


if __name__ == "__main__":
    main()
