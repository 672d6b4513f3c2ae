"""Where waypost's SMTP protocol class gains on stock aiosmtpd: an ablation.

Four do-nothing SMTP servers (``handle_DATA`` answers ``250 OK``), on uvloop in this
process, take the same ``smtp-source`` load in turn (``--rounds`` rounds; median
msg/s):

- ``stock``: aiosmtpd's ``SMTP`` as shipped (its stream reader sized by its 1,001-byte
  line limit);
- ``stock, 1 MiB reader``: the same with waypost's 1 MiB line limit, which also sizes
  the reader (fewer pauses of the socket);
- ``+ cached addresses only`` / ``+ bulk DATA only``: the 1 MiB reader with one of
  waypost's two overrides;
- ``waypost, 1,001 B reader``: :class:`waypost.mail.protocol.WaypostSMTP` (addresses
  parsed once, DATA read in bulk) with the stock line limit;
- ``waypost``: the class as waypost serves with.

Needs ``bench/get-smtp-source.sh``. Usage: .venv/bin/python bench/smtp_protocol.py
[--messages 8000] [--sessions 16] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import uvloop
from aiosmtpd.smtp import SMTP

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import SMTP_SOURCE, SMTP_SOURCE_LIBS, NullHandler, machine

from waypost.mail.protocol import LONGEST_LINE, WaypostSMTP


class StockWithBigReader(SMTP):
    line_length_limit = LONGEST_LINE


class WaypostWithStockReader(WaypostSMTP):
    line_length_limit = SMTP.line_length_limit


class AddressesOnly(StockWithBigReader):
    """Only waypost's address parsing (cached)."""

    _getaddr = WaypostSMTP._getaddr


class DataOnly(StockWithBigReader):
    """Only waypost's DATA reader (in bulk)."""

    smtp_DATA = WaypostSMTP.smtp_DATA
    _read_data = WaypostSMTP._read_data
    _reset_envelope = WaypostSMTP._reset_envelope


VARIANTS: dict[str, type[SMTP]] = {
    "stock": SMTP,
    "stock, 1 MiB reader": StockWithBigReader,
    "+ cached addresses only": AddressesOnly,
    "+ bulk DATA only": DataOnly,
    "waypost, 1,001 B reader": WaypostWithStockReader,
    "waypost": WaypostSMTP,
}


async def _load(port: int, messages: int, sessions: int) -> float:
    env = {**os.environ, "LD_LIBRARY_PATH": str(SMTP_SOURCE_LIBS)}
    start = time.perf_counter()
    proc = await asyncio.create_subprocess_exec(
        str(SMTP_SOURCE),
        *("-d", "-s", str(sessions), "-m", str(messages), "-l", "2048"),
        *("-f", "bench@example.test", "-t", "sink@raw.bench", f"127.0.0.1:{port}"),
        env=env,
    )
    if await proc.wait() != 0:
        raise RuntimeError("smtp-source failed")
    return messages / (time.perf_counter() - start)


async def measure(messages: int, sessions: int, rounds: int) -> None:
    loop = asyncio.get_running_loop()
    handler = NullHandler()
    ports: dict[str, int] = {}
    servers: list[Any] = []
    for name, smtp in VARIANTS.items():
        server = await loop.create_server(
            lambda smtp=smtp: smtp(
                handler, decode_data=False, enable_SMTPUTF8=True, hostname="raw.bench"
            ),
            "127.0.0.1",
            0,
        )
        servers.append(server)
        ports[name] = server.sockets[0].getsockname()[1]
    rates: dict[str, list[float]] = {name: [] for name in VARIANTS}
    for _ in range(rounds):
        for name, port in ports.items():
            rates[name].append(await _load(port, messages, sessions))
    for name, values in rates.items():
        print(
            f"{name:<24} {statistics.median(values):7.0f} msg/s"
            f"  (rounds: {', '.join(f'{v:.0f}' for v in values)})"
        )
    for server in servers:
        server.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=8000)
    parser.add_argument("--sessions", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if not SMTP_SOURCE.is_file():
        sys.exit("smtp-source not found: run bench/get-smtp-source.sh")
    print(f"smtp_protocol: {args.messages} msgs x 2 KB over {args.sessions} sessions; {machine()}")
    uvloop.run(measure(args.messages, args.sessions, args.rounds))


if __name__ == "__main__":
    main()
