"""`childsafe zalo status|refresh|sign`: look after the Zalo OA channel (served by `serve`)."""

from __future__ import annotations

import asyncio
import datetime as dt
import sys
from pathlib import Path

import click

from bot.settings import MissingSecretError, Settings, get_settings
from bot.zalo import signature
from bot.zalo.config import REQUIRED, WEBHOOK_PATH, missing
from bot.zalo.tokens import TokenStore, default_path, seed_digest


def register(cli: click.Group) -> None:
    cli.add_command(zalo)


@click.group()
def zalo() -> None:
    """The Zalo Official Account channel (served by `childsafe serve` at /webhooks/zalo)."""


@zalo.command()
def status() -> None:
    """Show what is configured and where the token pair comes from (never the tokens)."""
    settings = get_settings()
    absent = missing(settings)
    if len(absent) == len(REQUIRED):
        click.echo(f"Zalo: off ({', '.join(absent)} not set)")
        return
    if absent:
        click.echo(f"Zalo: incomplete; missing {', '.join(absent)}")
    else:
        click.echo("Zalo: configured")
    public = (settings.public_url or "https://YOUR_HOST").rstrip("/")
    click.echo(f"webhook URL to register: {public}{WEBHOOK_PATH}")
    click.echo(f"OA API: {settings.zalo_api_base_url}; OAuth: {settings.zalo_oauth_base_url}")
    path = default_path(settings.db_path)
    click.echo(f"token file: {path}")
    if settings.zalo_app_id is None:
        return
    stored = TokenStore(path, settings.zalo_app_id).read()
    if stored is None:
        click.echo("tokens: from the environment (no saved pair yet)")
        return
    tokens, seed = stored
    env_refresh = settings.zalo_refresh_token or ""
    if seed is not None and env_refresh and seed != seed_digest(env_refresh):
        click.echo(
            "tokens: from the environment (ZALO_REFRESH_TOKEN is a newer grant than the file)"
        )
        return
    obtained, expires = _when(tokens.obtained_at), _when(tokens.expires_at)
    click.echo(f"tokens: saved pair, obtained {obtained}, expires {expires}")


@zalo.command()
def refresh() -> None:
    """Refresh the access token now and save the new pair (checks ZALO_APP_SECRET and the
    refresh token). A running `childsafe serve` picks the new pair up from the file."""
    from bot.zalo.client import ZaloClient

    settings = get_settings()
    try:
        settings.require(*REQUIRED)
        client = ZaloClient.from_settings(settings)
    except MissingSecretError as exc:
        raise click.ClickException(str(exc)) from exc

    async def run() -> bool:
        try:
            return await client.refresh()
        finally:
            await client.aclose()

    if not asyncio.run(run()):
        raise click.ClickException(
            "Zalo refused the refresh (see the log line above); a new grant may be needed "
            "(README, Zalo: the first token pair)"
        )
    saved = "saved" if "token_save_failed" not in client.stats() else "NOT saved"
    expires = _when(client.tokens.expires_at)
    click.echo(f"refreshed; new pair {saved} to {client.store.path}, expires {expires}")


@zalo.command()
@click.argument(
    "body_file", type=click.Path(exists=True, dir_okay=False, allow_dash=True, path_type=Path)
)
def sign(body_file: Path) -> None:
    """Print the X-ZEvent-Signature Zalo would send for a JSON event (to test a deployment):

    childsafe zalo sign event.json
    """
    import json

    settings = _settings_with_key()
    body = sys.stdin.buffer.read() if str(body_file) == "-" else body_file.read_bytes()
    try:
        event = json.loads(body)
    except ValueError as exc:
        raise click.ClickException("the file is not JSON") from exc
    if not isinstance(event, dict):
        raise click.ClickException("the event must be a JSON object")
    app_id = signature.signed_field(event.get("app_id"))
    timestamp = signature.signed_field(event.get("timestamp"))
    if app_id is None or timestamp is None:
        raise click.ClickException('the event needs "app_id" and "timestamp"')
    assert settings.zalo_oa_secret_key is not None
    click.echo(signature.header_value(app_id, body, timestamp, settings.zalo_oa_secret_key))


def _settings_with_key() -> Settings:
    settings = get_settings()
    try:
        settings.require("zalo_oa_secret_key")
    except MissingSecretError as exc:
        raise click.ClickException(str(exc)) from exc
    return settings


def _when(epoch: float | None) -> str:
    if epoch is None:
        return "at an unknown time"
    moment = dt.datetime.fromtimestamp(epoch, dt.UTC)
    return moment.strftime("%Y-%m-%d %H:%M UTC")
