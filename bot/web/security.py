"""Which origins may use the web chat from elsewhere, and the headers every page carries."""

from __future__ import annotations

import logging
import re
from urllib.parse import urlsplit

log = logging.getLogger(__name__)

# scheme://host[:port], as browsers send it in the Origin header (no path, no trailing slash).
_ORIGIN = re.compile(r"^https?://(?:[a-z0-9-]+(?:\.[a-z0-9-]+)*|\[[0-9a-f:.]+\])(?::\d{1,5})?$")


def normalise_origin(value: str) -> str | None:
    """`value` as a browser would send it in `Origin`, or None if it is not a web origin."""
    candidate = value.strip().rstrip("/").lower()
    if not _ORIGIN.match(candidate):
        return None
    scheme, _, rest = candidate.partition("://")
    default_port = {"http": ":80", "https": ":443"}[scheme]
    if rest.endswith(default_port):
        candidate = candidate[: -len(default_port)]
    return candidate


def allowed_origins(configured: list[str]) -> frozenset[str]:
    """The configured origins that are well formed; the others are reported and ignored."""
    origins = set()
    for item in configured:
        origin = normalise_origin(item)
        if origin is None:
            log.warning("CHILDSAFE_CORS_ORIGINS: ignoring %r (expected scheme://host[:port])", item)
        else:
            origins.add(origin)
    return frozenset(origins)


def checked_exit_url(value: str) -> str:
    """The quick-exit target: an absolute http(s) URL or a path on this site; nothing else
    (a `javascript:` URL here would run in the page)."""
    parts = urlsplit(value.strip())
    absolute = parts.scheme in {"http", "https"} and bool(parts.netloc)
    local_path = not parts.scheme and not parts.netloc and value.strip().startswith("/")
    if not (absolute or local_path) or value.strip().startswith("//"):
        raise ValueError(
            f"CHILDSAFE_WEB_EXIT_URL must be an http(s) URL or a path starting with '/': {value!r}"
        )
    return value.strip()


def page_headers(
    frame_ancestors: frozenset[str] | None = None, image_origins: frozenset[str] = frozenset()
) -> dict[str, str]:
    """Security headers for our HTML pages. `frame_ancestors`: who may frame the page
    (besides this site); None means nobody may. `image_origins`: other https origins images
    may come from (a centre's logo hosted elsewhere)."""
    ancestors = "'none'"
    if frame_ancestors is not None:
        ancestors = " ".join(["'self'", *sorted(frame_ancestors)])
    csp = "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            " ".join(["img-src 'self'", *sorted(image_origins)]),
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            f"frame-ancestors {ancestors}",
        ]
    )
    headers = {
        "Content-Security-Policy": csp,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
        "Cache-Control": "no-store",
    }
    if frame_ancestors is None:
        headers["X-Frame-Options"] = "DENY"
        headers["Cross-Origin-Opener-Policy"] = "same-origin"
    return headers


def asset_headers() -> dict[str, str]:
    """Headers for scripts and stylesheets; widget.js is loaded by other sites, on purpose."""
    return {
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Cross-Origin-Resource-Policy": "cross-origin",
        "Cache-Control": "no-cache",
    }
