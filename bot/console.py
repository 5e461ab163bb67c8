"""The console channel: `childsafe chat`. Buttons are shown as numbered choices."""

from __future__ import annotations

import re
from typing import TextIO

from handlers.models import IncomingMessage, Reply
from handlers.pipeline import Assistant

CONSOLE_USER = "console"
_BOLD = re.compile(r"\*\*(.+?)\*\*")


def render_console(reply: Reply) -> str:
    lines = [_BOLD.sub(r"\1", reply.text)]
    for index, button in enumerate(reply.buttons, start=1):
        lines.append(f"  [{index}] {button.label}")
    return "\n".join(lines)


def run_console(
    assistant: Assistant, stdin: TextIO, stdout: TextIO, interactive: bool = True
) -> None:
    """Read lines until EOF or "/thoat"; a number picks a button of the last reply."""
    stdout.write("Trợ lý bảo vệ trẻ em. Gõ câu hỏi (có dấu hay không dấu), /thoat để thoát.\n")
    stdout.write(
        render_console(assistant.command("start", IncomingMessage("", CONSOLE_USER, "console")))
        + "\n"
    )
    while True:
        if interactive:
            stdout.write("\n> ")
            stdout.flush()
        line = stdin.readline()
        if not line or line.strip() in {"/thoat", "/quit", "/exit"}:
            break
        text = line.strip()
        command = {
            "/xoa": "erase",
            "/khancap": "emergency",
            "/baomat": "privacy",
            "/vaitro": "role",
            "/help": "help",
            "/start": "start",
        }.get(text)
        message = IncomingMessage(text=text, user=CONSOLE_USER, channel="console")
        reply = assistant.command(command, message) if command else assistant.handle(message)
        stdout.write(render_console(reply) + "\n")
        stdout.flush()
