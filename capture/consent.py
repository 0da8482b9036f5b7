"""Get past consent banners, and record what was done.

Modes: "reject" (default: refuse where a refusal path exists, never accept),
"accept", or "off". This module is the single entry point the pipeline uses:
`install()` before navigation, `handle()` once the page has settled.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from .jsassets import script

MODES = ("reject", "accept", "off")


@dataclass
class ConsentResult:
    cmp: str | None = None      # which consent manager (or "generic") was found
    action: str | None = None   # "reject", "accept", "hide", or None when nothing was found
    ok: bool | None = None      # did the banner go away
    detail: str | None = None

    def as_dict(self) -> dict:
        return asdict(self)


async def install(context, mode: str) -> None:
    """Hook for scripts that must run before the page's own (none needed by the fallback)."""


async def handle(page, mode: str, deadline) -> ConsentResult:
    if mode == "off":
        return ConsentResult(action="off")
    for frame in [page.main_frame]:
        try:
            res = await frame.evaluate(script("consent_fallback.js"), mode)
        except Exception as exc:  # navigation during evaluation, detached frame
            return ConsentResult(detail=f"fallback failed: {exc.__class__.__name__}")
        if res.get("found"):
            detail = f'{res.get("banner")}: ' + (f'clicked "{res["button"]}"' if res.get("button") else "no refusal button")
            action = res["action"]
            if action != "hide":
                await page.wait_for_timeout(300)
                if await _hide_if_still_visible(page):
                    action += "+hide"
                    detail += "; banner stayed after the click, hidden"
            return ConsentResult(cmp="generic", action=action, ok=not await _still_visible(page), detail=detail)
    return ConsentResult()


_VISIBLE_JS = """() => Array.from(document.querySelectorAll('[data-pk-consent]')).some(el => {
    const r = el.getBoundingClientRect(), cs = getComputedStyle(el);
    return el.isConnected && r.width > 0 && r.height > 0 && cs.display !== 'none' && cs.visibility !== 'hidden'; })"""


async def _still_visible(page) -> bool:
    try:
        return await page.evaluate(_VISIBLE_JS)
    except Exception:
        return False


async def _hide_if_still_visible(page) -> bool:
    if not await _still_visible(page):
        return False
    try:
        await page.evaluate("""() => document.querySelectorAll('[data-pk-consent]').forEach(el => {
            el.style.setProperty('display', 'none', 'important'); el.setAttribute('data-pk-removed', 'consent'); })""")
    except Exception:
        return False
    return True
