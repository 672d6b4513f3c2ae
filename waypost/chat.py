"""``waypost chat SESSION``: talk to an agent session from a terminal, streaming its reply."""

from __future__ import annotations

import threading
from typing import TextIO

from rich.console import Console

from waypost.sdk import Client

END_TYPES = ("session_completed", "session_failed", "session_interrupted")


def follow_run(client: Client, session_id: str, after: int, console: Console) -> None:
    """Print one run's stream until it ends."""
    for event in client.sessions.stream(session_id, after=after):
        data = event.data
        if event.type == "text_delta":
            console.print(data.get("text", ""), end="", markup=False, highlight=False)
        elif event.type == "tool_use_start":
            console.print(f"\n[dim]→ {data.get('name')}[/]", end="")
        elif event.type == "tool_result":
            mark = "[red]✗[/]" if data.get("is_error") else "[green]✓[/]"
            console.print(f" {mark}")
        elif event.type == "approval_required":
            tool_use = data.get("tool_use_id")
            console.print(
                f"\n[yellow]{data.get('name')} needs approval[/] (…/approvals/{tool_use})"
            )
        elif event.type in END_TYPES:
            if event.type == "session_failed":
                console.print(f"\n[red]run failed:[/] {data.get('error')}")
            elif event.type == "session_interrupted":
                console.print("\n[yellow]interrupted[/]")
            else:
                console.print()
            return


def chat_loop(client: Client, session_id: str, console: Console, stdin: TextIO) -> None:
    """Read a line, send it, stream the answer; Ctrl-C interrupts the run, EOF quits."""
    convo = client.sessions.conversation(session_id)
    console.print(f"[bold]{session_id}[/] ({len(convo.messages)} messages so far). Ctrl-D quits.")
    while True:
        console.print("[bold cyan]you>[/] ", end="")
        line = stdin.readline()
        if not line:
            return
        text = line.strip()
        if not text:
            continue
        after = client.sessions.get(session_id).counts.events
        follower = threading.Thread(
            target=follow_run, args=(client, session_id, after, console), daemon=True
        )
        follower.start()
        client.sessions.send(session_id, text, wait=False)
        try:
            while follower.is_alive():
                follower.join(0.2)
        except KeyboardInterrupt:
            client.sessions.interrupt(session_id)
            follower.join(5)
