"""The centre's branding on the web chat (#20): its name, logo, header colour and local line.

Set by CHILDSAFE_BRAND_NAME, CHILDSAFE_BRAND_LOGO, CHILDSAFE_BRAND_COLOR and
CHILDSAFE_LOCAL_LINE_HOURS; every default is the neutral look the project ships. The page
and the widget's frame read the colour from `/web/brand.css` (the pages' CSP allows no inline
style), the logo is a file this server serves at `/web/brand-logo` or an https URL (its
origin is then allowed as an image source), and the local line is the deployment's own
(`content.base.Deployment`: never Hải Phòng's line outside Hải Phòng).
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from bot.settings import PROJECT_ROOT, Settings
from content.base import Deployment

DEFAULT_TITLE = "Trợ lý bảo vệ trẻ em"
DEFAULT_LOGO = "/web/icon.svg"
LOGO_PATH = "/web/brand-logo"
BRAND_CSS_PATH = "/web/brand.css"
LOGO_TYPES = {
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".webp": "image/webp",
    ".gif": "image/gif",
}
MAX_LOGO_BYTES = 512 * 1024
WHITE_TEXT_MIN_CONTRAST = 4.5  # WCAG AA for the header's white text


class BrandingError(ValueError):
    """A branding setting that cannot be used (named in the message)."""


@dataclass(frozen=True, slots=True)
class Logo:
    src: str  # what <img src> says
    file: Path | None = None  # served at LOGO_PATH when the logo is a local file
    media_type: str = ""
    origin: str | None = None  # an https logo elsewhere: allowed by the page's CSP


@dataclass(frozen=True, slots=True)
class Brand:
    name: str
    logo: Logo
    color: str | None  # "#rrggbb", or None for the shipped colour
    local_line: str | None  # the deployment's own line (never Hải Phòng's elsewhere)
    province: str
    local_line_name: str
    local_line_hours: str

    @property
    def title(self) -> str:
        return self.name or DEFAULT_TITLE

    @property
    def tagline(self) -> str:
        return f"{DEFAULT_TITLE} · có dẫn nguồn" if self.name else "Hỏi đáp có dẫn nguồn"

    @property
    def image_origins(self) -> frozenset[str]:
        return frozenset({self.logo.origin}) if self.logo.origin else frozenset()

    @property
    def color_dark(self) -> str | None:
        """The hover/pressed shade of the colour."""
        return darken(self.color, 0.78) if self.color else None

    def css(self) -> str:
        """`/web/brand.css`: the header colour (a comment only when none is set)."""
        if self.color is None:
            return "/* the shipped colours (CHILDSAFE_BRAND_COLOR is not set) */\n"
        return f":root {{ --brand: {self.color}; --brand-dark: {self.color_dark}; }}\n"

    def local_line_html(self) -> str:
        """The greeting's local-line paragraph (empty without a local line)."""
        if not self.local_line:
            return ""
        number = html.escape(self.local_line)
        hours = f" ({html.escape(self.local_line_hours)})" if self.local_line_hours else ""
        return (
            f'<p class="local-line">Ở {html.escape(self.province)} còn có đường dây hỗ trợ '
            f'<a class="tel" href="tel:{number}"><strong>{number}</strong></a>{hours}.</p>'
        )

    def fill(self, template: str) -> str:
        """The page template with the brand's values (escaped)."""
        values = {
            "{{brand_title}}": html.escape(self.title, quote=True),
            "{{brand_tagline}}": html.escape(self.tagline, quote=False),
            "{{brand_logo}}": html.escape(self.logo.src, quote=True),
            "{{local_line_html}}": self.local_line_html(),
        }
        for key, value in values.items():
            template = template.replace(key, value)
        return template


def parse_color(value: str) -> str | None:
    """ "#rgb"/"#rrggbb" as "#rrggbb" (None when empty); readable under white text or refused."""
    value = value.strip().lower()
    if not value:
        return None
    digits = value.removeprefix("#")
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    if len(digits) != 6 or any(c not in "0123456789abcdef" for c in digits):
        raise BrandingError(f"CHILDSAFE_BRAND_COLOR must be a hex colour like #0b5394: {value!r}")
    color = "#" + digits
    if contrast_with_white(color) < WHITE_TEXT_MIN_CONTRAST:
        raise BrandingError(
            f"CHILDSAFE_BRAND_COLOR {color} is too light for the header's white text "
            f"(contrast {contrast_with_white(color):.1f}:1, at least "
            f"{WHITE_TEXT_MIN_CONTRAST}:1 needed): choose a darker shade"
        )
    return color


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4


def contrast_with_white(color: str) -> float:
    r, g, b = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    luminance = 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)
    return 1.05 / (luminance + 0.05)


def darken(color: str, factor: float) -> str:
    r, g, b = (round(int(color[i : i + 2], 16) * factor) for i in (1, 3, 5))
    return f"#{r:02x}{g:02x}{b:02x}"


def parse_logo(value: str, base: Path = PROJECT_ROOT) -> Logo:
    """An https URL, or a file (absolute, or relative to the working directory or the
    checkout) served by this app; empty: the shipped icon."""
    value = value.strip()
    if not value:
        return Logo(DEFAULT_LOGO)
    parts = urlsplit(value)
    if parts.scheme:
        if parts.scheme != "https" or not parts.netloc:
            raise BrandingError(f"CHILDSAFE_BRAND_LOGO must be an https URL or a file: {value!r}")
        return Logo(value, origin=f"https://{parts.netloc.lower()}")
    path = Path(value).expanduser()
    candidates = [path] if path.is_absolute() else [Path.cwd() / path, base / path]
    found = next((p for p in candidates if p.is_file()), None)
    if found is None:
        raise BrandingError(f"CHILDSAFE_BRAND_LOGO: no such file {value!r}")
    media_type = LOGO_TYPES.get(found.suffix.lower())
    if media_type is None:
        kinds = ", ".join(sorted(LOGO_TYPES))
        raise BrandingError(f"CHILDSAFE_BRAND_LOGO must be an image ({kinds}): {value!r}")
    if found.stat().st_size > MAX_LOGO_BYTES:
        raise BrandingError(f"CHILDSAFE_BRAND_LOGO is over {MAX_LOGO_BYTES // 1024} KB: {value!r}")
    return Logo(LOGO_PATH, file=found, media_type=media_type)


def brand_from(settings: Settings, deployment: Deployment) -> Brand:
    """The brand of this deployment; a bad setting raises BrandingError naming it."""
    return Brand(
        name=settings.brand_name.strip(),
        logo=parse_logo(settings.brand_logo),
        color=parse_color(settings.brand_color),
        local_line=deployment.local_line,
        province=deployment.province,
        local_line_name=deployment.local_line_name,
        local_line_hours=deployment.local_line_hours,
    )
