"""Modals, full-viewport layers, scroll locks, and fixed bars in full-page screenshots."""

from __future__ import annotations

from .jsassets import script


async def clear(page) -> list[str]:
    """Close or hide modals and backdrops and release scroll locks; returns what was done.

    consent.py runs the same script with {afterConsent: true} for what a banner leaves behind.
    """
    try:
        return await page.evaluate(script("overlays.js"), {})
    except Exception:
        return []


async def freeze_fixed(page) -> dict:
    """Pin fixed/sticky elements to the top of the page before a full-page screenshot."""
    try:
        return await page.evaluate(script("freeze.js"))
    except Exception:
        return {}
