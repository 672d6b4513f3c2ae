"""aiosmtpd's SMTP protocol with its two hot spots rewritten; behaviour kept.

Profiling a do-nothing aiosmtpd server under load (docs/benchmarks.md) put a third
of its CPU in ``_getaddr``, which defines a ``typing.Protocol`` class on every call
and re-parses the same ``MAIL FROM``/``RCPT TO`` argument with the ``email``
package's header parser every time, and another tenth in ``smtp_DATA``, which
awaits the socket once per line of the message. Here addresses are parsed by
the same parser but once per distinct argument (an LRU), and a message is read
in as few pieces as the socket delivers it. Replies, limits and edge cases are
aiosmtpd's (the protocol tests send both servers the same sessions), but for one: a
message both over the size limit and holding an over-long line is always ``552``.
"""

from __future__ import annotations

import asyncio
import functools
from email._header_value_parser import get_addr_spec, get_angle_addr
from email.errors import HeaderParseError
from typing import Any

from aiosmtpd.smtp import MISSING, SMTP, syntax

LONGEST_LINE = 1024 * 1024
END_OF_LINE_DOT = b".\r\n"  # every end of DATA ends so: "\r\n.\r\n", or ".\r\n" at the start


@functools.lru_cache(maxsize=4096)
def parse_smtp_address(arg: str) -> tuple[str | None, str | None]:
    """``(address, rest)`` of a ``MAIL FROM:``/``RCPT TO:`` argument, as aiosmtpd parses it;
    ``(None, None)`` when it does not parse."""
    try:
        if arg.lstrip().startswith("<"):
            angle, rest = get_angle_addr(arg)
            return angle.addr_spec, rest
        spec, rest = get_addr_spec(arg)
        return spec.addr_spec, rest
    except HeaderParseError:
        return None, None


def unstuff(data: bytes | bytearray) -> bytes:
    """The message in ``data`` (DATA's lines, terminator removed) with RFC 5321 §4.5.2's
    transparency undone: the first character of every line that starts with a period is
    deleted."""
    content = bytes(data).replace(b"\r\n.", b"\r\n")
    return content[1:] if content.startswith(b".") else content


def longest_line(data: bytes | bytearray) -> int:
    """The length of the longest CRLF-terminated line in ``data``, CRLF included."""
    longest, start = 0, 0
    while (end := data.find(b"\r\n", start)) != -1:
        longest = max(longest, end + 2 - start)
        start = end + 2
    return max(longest, len(data) - start)


class WaypostSMTP(SMTP):
    """aiosmtpd's protocol, faster where it was slow, and accepting long lines.

    Real senders exceed RFC 5321's 998 characters; refusing them would lose mail. The
    limit also sizes the stream reader, so a command line is read up to 1 MiB before
    aiosmtpd's command-length check answers ``500`` (a different ``500`` text may come
    first for such a line: "bad syntax" for a non-ASCII command word).
    """

    line_length_limit = LONGEST_LINE

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)
        if (metrics := self._metrics()) is not None:
            metrics.smtp_sessions.inc()
            metrics.smtp_sessions_active.inc()

    def connection_lost(self, error: Exception | None) -> None:
        if (metrics := self._metrics()) is not None:
            metrics.smtp_sessions_active.dec()
        super().connection_lost(error)

    def _metrics(self) -> Any:
        """The server's :class:`~waypost.metrics.Metrics` (None in an SMTP worker process)."""
        return getattr(self.event_handler, "metrics", None)

    def _getaddr(self, arg: str) -> tuple[str | None, str | None]:
        if not arg:
            return "", ""
        address, rest = parse_smtp_address(arg)
        if address is None:
            return None, None
        local_part = address.rpartition("@")[0]
        if self.local_part_limit and len(local_part) > self.local_part_limit:
            return None, None
        return address, rest

    @syntax("DATA")  # as aiosmtpd's: HELP lists and explains DATA
    async def smtp_DATA(self, arg: str) -> None:
        if "DATA" not in self._handle_hooks:  # a handler with the old process_message API
            await super().smtp_DATA(arg)
            return
        if await self.check_helo_needed():
            return
        if await self.check_auth_needed("DATA"):
            return
        assert self.envelope is not None
        if not self.envelope.rcpt_tos:
            await self.push("503 Error: need RCPT command")
            return
        if arg:
            await self.push("501 Syntax: DATA")
            return
        await self.push("354 End data with <CR><LF>.<CR><LF>")
        try:
            data, too_much = await self._read_data()
        except (asyncio.CancelledError, ConnectionResetError):
            self._writer.close()
            raise
        except asyncio.IncompleteReadError:  # the client went away mid-message
            self._writer.close()
            return
        if too_much:
            if (metrics := self._metrics()) is not None:
                metrics.rejected("too_large")
            await self.push("552 Error: Too much mail data")
            self._reset_envelope()
            return
        if len(data) > self.line_length_limit and longest_line(data) > self.line_length_limit:
            if (metrics := self._metrics()) is not None:
                metrics.rejected("line_too_long")
            await self.push("500 Line too long (see RFC5321 4.5.3.1.6)")
            self._reset_envelope()
            return
        original_content = unstuff(data)
        del data
        content: str | bytes = original_content
        if self._decode_data:
            if self.enable_SMTPUTF8:
                content = original_content.decode("utf-8", errors="surrogateescape")
            else:
                try:
                    content = original_content.decode("ascii", errors="strict")
                except UnicodeDecodeError:
                    await self.push("500 Error: strict ASCII mode")
                    return
        self.envelope.content = content
        self.envelope.original_content = original_content
        status = await self._call_handler_hook("DATA")
        self._reset_envelope()
        await self.push("250 OK" if status is MISSING else status)

    def _reset_envelope(self) -> None:
        """aiosmtpd's state after DATA, answered or refused: a fresh envelope."""
        self.envelope = self._create_envelope()

    async def _read_data(self) -> tuple[bytearray, bool]:
        """Everything up to the lone ``.`` line (consumed, not returned), and whether it
        was over :attr:`data_size_limit` (then it was read and dropped, not kept)."""
        reader = self._reader
        limit = self.data_size_limit
        data = bytearray()
        size = 0
        too_much = False
        tail = b"\r\n"  # the two bytes before the next piece: the data starts a line
        while True:
            try:
                piece = await reader.readuntil(END_OF_LINE_DOT)
                found = True
            except asyncio.LimitOverrunError as exc:  # no ".\r\n" in the next `limit` bytes
                piece = await reader.readexactly(exc.consumed)
                found = False
            # A ".\r\n" ends DATA when its dot is a line of its own.
            before_dot = piece[-5:-3] if len(piece) >= 5 else (tail + piece)[-5:-3]
            end = found and before_dot == b"\r\n"
            if end:
                piece = piece[:-3]
            size += len(piece)
            if limit and size > limit and not too_much:
                too_much = True
                data.clear()
            if not too_much:
                data += piece
            if end:
                return data, too_much
            tail = piece[-2:] if len(piece) >= 2 else (tail + piece)[-2:]
