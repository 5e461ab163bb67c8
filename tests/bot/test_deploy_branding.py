"""A centre's branding by settings (#20): its name, logo, header colour, local line and hours
on the web page, the widget, Telegram's /start (through the fake Bot API) and the Zalo
welcome (through the fake OA API); the defaults stay neutral; bad values fail at start-up."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import ValidationError
from telegram import Update

from bot.app import create_app
from bot.settings import Settings
from bot.telegram.app import build_application
from bot.telegram.render import visible_text
from bot.web.branding import BrandingError, contrast_with_white, parse_color
from bot.wiring import build_assistant
from bot.zalo.render import plain_text
from handlers.pipeline import Assistant
from tests.fake_telegram import TOKEN, FakeTelegram, message_update
from tests.fake_zalo import (
    ACCESS_TOKEN,
    APP_ID,
    APP_SECRET,
    OA_SECRET_KEY,
    OTHER_USER_ID,
    REFRESH_TOKEN,
    FakeZalo,
    signed,
)
from tests.servers import serve

CENTRE = "Trung tâm Công tác xã hội Thành phố Hải Phòng"
HOURS = "7:30–17:00, thứ Hai đến thứ Sáu"
COLOUR = "#7a1f5c"
# A 1x1 PNG: the logo file the centre puts beside its .env.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cfc0f01f0005000201a5f9b5d90000000049454e44ae426082"
)


@pytest.fixture
def logo(tmp_path: Path) -> Path:
    path = tmp_path / "logo.png"
    path.write_bytes(PNG)
    return path


def branded(settings: Settings, **updates: Any) -> Settings:
    return settings.model_copy(
        update={
            "brand_name": CENTRE,
            "brand_color": COLOUR,
            "local_line_hours": HOURS,
            **updates,
        }
    )


@pytest.fixture
def brand_settings(settings: Settings, logo: Path) -> Settings:
    return branded(settings, brand_logo=str(logo))


@pytest.fixture
def brand_assistant(brand_settings: Settings) -> Iterator[Assistant]:
    bot = build_assistant(brand_settings)
    yield bot
    bot.close()


def get(base: str, path: str) -> httpx.Response:
    response = httpx.get(base + path, timeout=10)
    assert response.status_code == 200, (path, response.text)
    return response


# ---------------------------------------------------------------------- web page and widget
def test_the_page_embed_and_widget_carry_the_centres_brand(
    brand_settings: Settings, brand_assistant: Assistant
) -> None:
    with serve(create_app(brand_settings, brand_assistant)) as base:
        for path in ("/", "/embed"):
            page = get(base, path).text
            assert f"<title>{CENTRE}</title>" in page
            assert f'<h1 class="brand__title">{CENTRE}</h1>' in page
            assert '<img class="brand__logo" src="/web/brand-logo"' in page
            assert '<link rel="stylesheet" href="/web/brand.css">' in page
            assert 'href="tel:18006605"' in page and f"({HOURS})" in page
            assert "Ở Hải Phòng còn có đường dây hỗ trợ" in page
        css = get(base, "/web/brand.css")
        assert css.headers["content-type"].startswith("text/css")
        assert f"--brand: {COLOUR};" in css.text and "--brand-dark: #" in css.text
        logo = get(base, "/web/brand-logo")
        assert logo.content == PNG and logo.headers["content-type"] == "image/png"
        widget = get(base, "/widget.js").text
        assert COLOUR in widget and "#0b5394" not in widget
        assert f'"Hỏi {CENTRE}"' in widget


def test_the_defaults_stay_neutral(settings: Settings, assistant: Assistant) -> None:
    with serve(create_app(settings, assistant)) as base:
        page = get(base, "/").text
        assert "<title>Trợ lý bảo vệ trẻ em</title>" in page
        assert '<h1 class="brand__title">Trợ lý bảo vệ trẻ em</h1>' in page
        assert 'src="/web/icon.svg"' in page
        assert "{{" not in page  # every placeholder filled
        assert "--brand:" not in get(base, "/web/brand.css").text
        widget = get(base, "/widget.js").text
        assert "#0b5394" in widget and '"Hỏi trợ lý bảo vệ trẻ em"' in widget
        assert httpx.get(base + "/web/brand-logo", timeout=10).status_code == 404


def test_a_logo_elsewhere_is_allowed_by_the_pages_csp(settings: Settings) -> None:
    url = "https://cdn.example.org/centre/logo.svg"
    configured = branded(settings, brand_logo=url)
    bot = build_assistant(configured)
    try:
        with serve(create_app(configured, bot)) as base:
            response = get(base, "/")
    finally:
        bot.close()
    assert f'src="{url}"' in response.text
    assert "img-src 'self' https://cdn.example.org;" in response.headers["content-security-policy"]


def test_the_local_line_is_never_shown_as_local_elsewhere(settings: Settings) -> None:
    configured = branded(settings, province="Đà Nẵng")  # Hải Phòng's line stays default
    bot = build_assistant(configured)
    try:
        with serve(create_app(configured, bot)) as base:
            page = get(base, "/").text
        start = bot.command("start", message("web"))
    finally:
        bot.close()
    assert "18006605" not in page and "local-line" not in page
    assert "18006605" not in start.text and HOURS not in start.text
    assert CENTRE in start.text  # the name still shows


# ---------------------------------------------------------------------- bad values
@pytest.mark.parametrize("value", ["red", "#12345", "0b5394x", "#ggg000"])
def test_a_colour_that_is_not_hex_is_refused_naming_the_setting(tmp_path: Path, value: str) -> None:
    with pytest.raises(ValidationError, match="CHILDSAFE_BRAND_COLOR"):
        Settings(_env_file=None, CHILDSAFE_BRAND_COLOR=value, CHILDSAFE_DB=tmp_path / "x.db")


def test_a_colour_too_light_for_white_text_is_refused(settings: Settings) -> None:
    assert parse_color("#0B5394") == "#0b5394" and parse_color("#036") == "#003366"
    assert contrast_with_white("#0b5394") > 4.5
    with pytest.raises(BrandingError, match="too light"):
        parse_color("#ffdd00")
    bot = build_assistant(settings)
    try:
        with pytest.raises(BrandingError, match="CHILDSAFE_BRAND_COLOR"):
            create_app(branded(settings, brand_color="#ffdd00"), bot)
        with pytest.raises(BrandingError, match="no such file"):
            create_app(branded(settings, brand_logo="missing/logo.png"), bot)
        with pytest.raises(BrandingError, match="https URL"):
            create_app(branded(settings, brand_logo="http://example.org/logo.png"), bot)
    finally:
        bot.close()


# ---------------------------------------------------------------------- Telegram and Zalo
def message(channel: str) -> Any:
    from handlers.models import IncomingMessage

    return IncomingMessage("", user=f"probe-{channel}", channel=channel)


@pytest.fixture
def telegram_api() -> Iterator[FakeTelegram]:
    api = FakeTelegram()
    with serve(api.app) as url:
        api.url = url
        yield api


async def test_telegram_start_names_the_centre_and_the_line_hours(
    brand_settings: Settings, brand_assistant: Assistant, telegram_api: FakeTelegram
) -> None:
    configured = brand_settings.model_copy(
        update={"telegram_token": TOKEN, "telegram_api_base_url": f"{telegram_api.url}/bot"}
    )
    application = build_application(configured, brand_assistant)
    async with application:
        update = Update.de_json(message_update("/start"), application.bot)
        await application.process_update(update)
    [call] = telegram_api.sent()
    text = visible_text(call["text"])
    assert f"trợ lý thông tin về bảo vệ trẻ em của {CENTRE}:" in text
    assert f"Ở Hải Phòng còn có đường dây hỗ trợ 18006605 ({HOURS})." in text
    assert "<b>18006605</b>" in call["text"]


async def test_telegram_start_is_neutral_by_default(
    settings: Settings, assistant: Assistant, telegram_api: FakeTelegram
) -> None:
    configured = settings.model_copy(
        update={"telegram_token": TOKEN, "telegram_api_base_url": f"{telegram_api.url}/bot"}
    )
    application = build_application(configured, assistant)
    async with application:
        await application.process_update(Update.de_json(message_update("/start"), application.bot))
    text = visible_text(telegram_api.sent()[0]["text"])
    assert "trợ lý thông tin về bảo vệ trẻ em: " in text  # no centre named
    assert "Ở Hải Phòng còn có đường dây hỗ trợ 18006605." in text  # no hours set


@pytest.fixture
def zalo_api() -> Iterator[FakeZalo]:
    api = FakeZalo()
    with serve(api.app) as url:
        api.url = url
        yield api


def test_the_zalo_welcome_names_the_centre_and_the_line_hours(
    brand_settings: Settings, brand_assistant: Assistant, zalo_api: FakeZalo
) -> None:
    configured = brand_settings.model_copy(
        update={
            "zalo_app_id": APP_ID,
            "zalo_app_secret": APP_SECRET,
            "zalo_oa_secret_key": OA_SECRET_KEY,
            "zalo_access_token": ACCESS_TOKEN,
            "zalo_refresh_token": REFRESH_TOKEN,
            "zalo_api_base_url": zalo_api.url,
            "zalo_oauth_base_url": zalo_api.url,
        }
    )
    with serve(create_app(configured, brand_assistant)) as base:
        body, headers = signed(zalo_api.incoming("follow", OTHER_USER_ID))
        response = httpx.post(f"{base}/webhooks/zalo", content=body, headers=headers, timeout=10)
        assert response.status_code == 200
        [welcome] = zalo_api.wait_for_sent(1, lambda s: s.user_id == OTHER_USER_ID)
    assert f"bảo vệ trẻ em của {CENTRE}:" in welcome.text
    assert f"Ở Hải Phòng còn có đường dây hỗ trợ 18006605 ({HOURS})." in welcome.text
    start = brand_assistant.command("start", message("zalo"))
    assert welcome.text == plain_text(start.text)
