"""Channels (Telegram, Zalo, web chat, console), the web app and the CLI."""
