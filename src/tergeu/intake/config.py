"""Settings of the public report form: limits on files, rate limits, proxies, the demo code.

Each is a Django setting of the same name when present (tests override them), else an
environment variable (docs/operations.md, docs/public-reports.md).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

from tergeu.settings.env import env_bool, env_int, env_str

#: Rate limits: name → (how many, in how many seconds).
DEFAULT_RATE_LIMITS: dict[str, tuple[int, int]] = {
    "otp_contact": (3, 600),  # codes sent to one phone or e-mail
    "otp_ip": (20, 3600),  # codes requested from one address
    "code_ip": (30, 3600),  # codes tried from one address
    "submit_iin": (5, 86400),  # reports filed by one person
    "submit_ip": (30, 3600),  # reports filed from one address
    "lookup_ip": (20, 3600),  # status look-ups by tracking number from one address
}


def _setting(name: str) -> Any:
    return getattr(settings, name, None)


def max_file_bytes() -> int:
    """Largest attachment (TERGEU_PUBLIC_MAX_FILE_BYTES, default 10 MB)."""
    value = _setting("TERGEU_PUBLIC_MAX_FILE_BYTES")
    return int(value) if value else env_int("TERGEU_PUBLIC_MAX_FILE_BYTES", 10 * 1024 * 1024)


def max_files() -> int:
    """Most attachments per report (TERGEU_PUBLIC_MAX_FILES, default 5)."""
    value = _setting("TERGEU_PUBLIC_MAX_FILES")
    return int(value) if value is not None else env_int("TERGEU_PUBLIC_MAX_FILES", 5)


def show_otp() -> bool:
    """Show the one-time code on the page (TERGEU_SHOW_OTP; set by ``tergeu demo`` only)."""
    value = _setting("TERGEU_SHOW_OTP")
    return bool(value) if value is not None else env_bool("TERGEU_SHOW_OTP", False)


def proxy_hops() -> int:
    """How many trusted reverse proxies append to X-Forwarded-For (0: ignore the header)."""
    value = _setting("TERGEU_TRUSTED_PROXY_HOPS")
    return int(value) if value is not None else env_int("TERGEU_TRUSTED_PROXY_HOPS", 0)


def parse_limits(text: str) -> dict[str, tuple[int, int]]:
    """``"otp_contact=3/600,submit_ip=30/3600"`` as a dict (unknown names are refused)."""
    limits: dict[str, tuple[int, int]] = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        name, _, value = item.partition("=")
        count, _, seconds = value.partition("/")
        if name.strip() not in DEFAULT_RATE_LIMITS:
            raise ValueError(f"unknown rate limit {name.strip()!r}")
        limits[name.strip()] = (int(count), int(seconds))
    return limits


def rate_limit(name: str) -> tuple[int, int]:
    """(count, seconds) of a rate limit: the setting's dict, TERGEU_PUBLIC_RATE_LIMITS, default."""
    configured = _setting("TERGEU_PUBLIC_RATE_LIMITS")
    if configured is None:
        configured = parse_limits(env_str("TERGEU_PUBLIC_RATE_LIMITS", ""))
    count, seconds = configured.get(name, DEFAULT_RATE_LIMITS[name])
    return int(count), int(seconds)


def client_ip(meta: dict[str, Any]) -> str:
    """The client's address: REMOTE_ADDR, or from X-Forwarded-For behind trusted proxies."""
    remote = str(meta.get("REMOTE_ADDR") or "")
    hops = proxy_hops()
    forwarded = str(meta.get("HTTP_X_FORWARDED_FOR") or "")
    if hops <= 0 or not forwarded:
        return remote
    chain = [part.strip() for part in forwarded.split(",") if part.strip()]
    if not chain:
        return remote
    return chain[-hops] if len(chain) >= hops else chain[0]
