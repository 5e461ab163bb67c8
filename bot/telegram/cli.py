"""`childsafe telegram`: run the Telegram bot alone, by long polling (no public URL needed)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import click

from bot.settings import MissingSecretError, Settings, get_settings


def register(cli: click.Group) -> None:
    cli.add_command(telegram)


@click.command()
@click.option(
    "--db",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="SQLite database the pipeline logs to (default: CHILDSAFE_DB).",
)
@click.option("--engine", default=None, help="NLU engine: embedded (default) or rasa.")
@click.option(
    "--check", is_flag=True, help="Only check the token: print the bot's name and webhook."
)
def telegram(db: Path | None, engine: str | None, check: bool) -> None:
    """Run the Telegram bot by long polling, until Ctrl+C.

    Needs TELEGRAM_TOKEN (from @BotFather). With TELEGRAM_WEBHOOK_URL set, updates go to
    the webhook that `childsafe serve` receives, so this command refuses to poll.

    Example:

        TELEGRAM_TOKEN=123456:ABC... childsafe telegram

        childsafe telegram --check
    """
    settings = _settings(db, engine)
    try:
        settings.require("telegram_token")
    except MissingSecretError as exc:
        raise click.ClickException(str(exc)) from exc
    if check:
        click.echo(asyncio.run(_check(settings)))
        return
    if settings.telegram_webhook_url:
        raise click.ClickException(
            "TELEGRAM_WEBHOOK_URL is set, so Telegram sends updates to `childsafe serve` "
            "(/webhooks/telegram). Unset it to poll instead; polling removes the webhook."
        )
    _run_polling(settings)


def _settings(db: Path | None, engine: str | None) -> Settings:
    updates: dict[str, Any] = {}
    if db is not None:
        updates["db_path"] = db
    if engine is not None:
        updates["nlu_engine"] = engine
    settings = get_settings()
    return settings.model_copy(update=updates) if updates else settings


def _run_polling(settings: Settings) -> None:
    from telegram.error import InvalidToken

    from bot.telegram.app import (
        ALLOWED_UPDATES,
        TelegramApp,
        build_application,
        register_commands,
        start_courier,
        stop_courier,
    )
    from bot.wiring import build_assistant

    async def post_init(application: TelegramApp) -> None:
        await register_commands(application)
        await start_courier(application)  # counsellors' messages out (#15)

    assistant = build_assistant(settings)
    try:
        assistant.engine.parse("xin chao")  # load the model before the first user waits for it
        application = build_application(settings, assistant, post_init=post_init)
        application.post_stop = stop_courier
        click.echo("childsafe: Telegram bot polling; Ctrl+C to stop", err=True)
        application.run_polling(allowed_updates=ALLOWED_UPDATES, close_loop=False)
    except InvalidToken as exc:
        raise click.ClickException("the Bot API refused TELEGRAM_TOKEN (check it)") from exc
    finally:
        assistant.close()


async def _check(settings: Settings) -> str:
    from telegram import Bot
    from telegram.error import InvalidToken, TelegramError

    from bot.telegram.app import api_urls

    assert settings.telegram_token is not None
    base_url, file_url = api_urls(settings.telegram_api_base_url)
    try:
        async with Bot(settings.telegram_token, base_url=base_url, base_file_url=file_url) as bot:
            info = await bot.get_webhook_info()
            name = bot.username
    except InvalidToken as exc:
        raise click.ClickException("the Bot API refused TELEGRAM_TOKEN (check it)") from exc
    except TelegramError as exc:
        raise click.ClickException(f"cannot reach the Bot API: {type(exc).__name__}") from exc
    webhook = info.url or "none (polling)"
    return f"@{name}: token ok; webhook: {webhook}; pending updates: {info.pending_update_count}"
