"""Modals, full-viewport layers and scroll locks (fixed bars are pinned for the full-page shot by dom.mark_article)."""

from __future__ import annotations

from . import isolated
from .jsassets import script


async def clear(page) -> list[str]:
    """Close or hide modals and backdrops and release scroll locks; returns what was done.

    consent.py runs the same script with {afterConsent: true} for what a banner leaves behind.
    """
    try:
        return await isolated.evaluate(page, script("overlays.js"), {})
    except Exception:
        return []
