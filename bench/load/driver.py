"""A small closed-loop load generator: ``clients`` keep-alive HTTP/1.1 connections, each
sending its next request as soon as the previous answer has been read, for a fixed time.

Written on asyncio streams rather than an HTTP client library so that the generator spends
as little CPU as possible: it shares the machine with the server. Latency is measured from
the first byte written to the last byte of the answer read. An answer counts when it
arrives after the warm-up; requests in flight at the end are waited for and counted.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

__all__ = ["Request", "Result", "run_load"]


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    token: str | None = None
    body: dict[str, str] | None = None

    def encode(self, host: str, port: int) -> bytes:
        lines = [f"{self.method} {self.path} HTTP/1.1", f"Host: {host}:{port}",
                 "Accept: application/json"]
        if self.token:
            lines.append(f"Authorization: Bearer {self.token}")
        payload = b""
        if self.body is not None:
            payload = json.dumps(self.body).encode()
            lines += ["Content-Type: application/json", f"Content-Length: {len(payload)}"]
        return ("\r\n".join(lines) + "\r\n\r\n").encode() + payload


@dataclass
class Result:
    clients: int
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)  # seconds, of expected answers
    statuses: Counter[int] = field(default_factory=Counter)
    errors: int = 0            # unexpected status or broken connection
    error_samples: list[str] = field(default_factory=list)
    last: float = 0.0          # when the last answer arrived (perf_counter)

    @property
    def done(self) -> int:
        return len(self.latencies)

    @property
    def rate(self) -> float:
        return self.done / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        """The p-th percentile latency in milliseconds (nearest rank)."""
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        rank = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
        return ordered[rank] * 1000


async def _read_answer(reader: asyncio.StreamReader) -> tuple[int, bytes, bool]:
    status_line = await reader.readline()
    if not status_line:
        raise ConnectionError("connection closed by the server")
    status = int(status_line.split()[1])
    length, chunked, close = 0, False, False
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b"\n", b""):
            break
        name, _, value = line.decode("latin-1").partition(":")
        name, value = name.strip().lower(), value.strip().lower()
        if name == "content-length":
            length = int(value)
        elif name == "transfer-encoding" and "chunked" in value:
            chunked = True
        elif name == "connection" and value == "close":
            close = True
    if not chunked:
        return status, await reader.readexactly(length), close
    body = b""
    while True:
        size = int((await reader.readline()).split(b";")[0], 16)
        if size == 0:
            await reader.readline()
            return status, body, close
        body += await reader.readexactly(size)
        await reader.readline()


async def _client(host: str, port: int, next_request: Callable[[], Request | None],
                  expected: frozenset[int], stop_at: float, measure_from: float,
                  result: Result) -> None:
    reader: asyncio.StreamReader | None = None
    writer: asyncio.StreamWriter | None = None
    try:
        while time.perf_counter() < stop_at:
            request = next_request()
            if request is None:  # nothing left to ask (a pool of fresh prescriptions)
                return
            if writer is None or reader is None:
                reader, writer = await asyncio.open_connection(host, port)
            started = time.perf_counter()
            try:
                writer.write(request.encode(host, port))
                await writer.drain()
                status, body, close = await _read_answer(reader)
            except (OSError, ConnectionError, asyncio.IncompleteReadError, ValueError) as e:
                if time.perf_counter() >= measure_from:
                    result.errors += 1
                    if len(result.error_samples) < 5:
                        result.error_samples.append(f"{type(e).__name__}: {e}")
                writer.close()
                reader = writer = None
                continue
            finished = time.perf_counter()
            elapsed = finished - started
            result.last = max(result.last, finished)
            if finished < measure_from:  # warm-up
                pass
            elif status in expected:
                result.latencies.append(elapsed)
                result.statuses[status] += 1
            else:
                result.statuses[status] += 1
                result.errors += 1
                if len(result.error_samples) < 5:
                    result.error_samples.append(f"{status}: {body[:300]!r}")
            if close:
                writer.close()
                reader = writer = None
    finally:
        if writer is not None:
            writer.close()


async def _run(host: str, port: int, clients: int, seconds: float, warmup: float,
               next_request: Callable[[], Request | None],
               expected: frozenset[int]) -> Result:
    result = Result(clients)
    began = time.perf_counter()
    measure_from = began + warmup
    stop_at = measure_from + seconds
    tasks = [asyncio.create_task(_client(host, port, next_request, expected, stop_at,
                                         measure_from, result)) for _ in range(clients)]
    await asyncio.gather(*tasks)
    # Answers that arrive after the warm-up count, including those in flight at the end
    # (a request slower than the whole run is still measured once it completes).
    result.seconds = max(result.last, stop_at) - measure_from
    return result


def run_load(host: str, port: int, *, clients: int, seconds: float, warmup: float,
             next_request: Callable[[], Request | None],
             expected: frozenset[int]) -> Result:
    """Drive the server for ``warmup`` + ``seconds``; only the last ``seconds`` count."""
    return asyncio.run(_run(host, port, clients, seconds, warmup, next_request, expected))
