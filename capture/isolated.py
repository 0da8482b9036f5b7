"""pagekeep's own page scripts run in a JavaScript world of their own: same DOM, own globals.

Playwright's page.evaluate runs in the page's main world, where the page's
scripts may have replaced the built-ins pagekeep's scripts use
(document.querySelectorAll, getComputedStyle, Array.prototype.map, Promise,
iterators …) and even those Playwright serializes the result with; a capture
then failed with the page's TypeError, or hung on a promise that never settled.
An isolated world (DevTools Page.createIsolatedWorld, what browser extensions'
content scripts run in) shares the document but none of that.

`evaluate(page, js, arg)` has page.evaluate's contract: `js` is a function
expression called with `arg`; promises are awaited; the JSON-able result is
returned; a script error raises; a navigation during the call raises with
"Execution context was destroyed", which the pipeline retries on. The world is
made on first use in a document (two DevTools calls: create it, then
js/world.js, which reaches the state pagekeep keeps in the page's own world
through js/bridge.js) and made again when the page has moved to a new one.
"""

from __future__ import annotations

import asyncio
import math
import weakref

from .jsassets import script

WORLD = "pagekeep"
NAVIGATED = "Execution context was destroyed, most likely because of a navigation"
_GONE_SIGNS = ("Execution context was destroyed", "Inspected target navigated or closed")
_UNSERIALIZABLE = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf, "-0": -0.0}


class ScriptError(Exception):
    """One of pagekeep's page scripts threw (worded as Playwright words it)."""


class Navigated(Exception):
    """The page moved to another document while the script ran."""


class _World:
    def __init__(self, cdp):
        self.cdp = cdp
        self.frame_id: str | None = None
        self.context_id: int | None = None
        self.lock = asyncio.Lock()

    async def context(self) -> int:
        async with self.lock:
            if self.context_id is None:
                self.context_id = await self._create()
            return self.context_id

    async def _create(self) -> int:
        for fresh_frame_id in (False, True):
            if self.frame_id is None or fresh_frame_id:
                self.frame_id = (await self.cdp.send("Page.getFrameTree"))["frameTree"]["frame"]["id"]
            try:
                made = await self.cdp.send("Page.createIsolatedWorld", {"frameId": self.frame_id, "worldName": WORLD})
                break
            except Exception:
                if fresh_frame_id:
                    raise
        context_id = made["executionContextId"]
        await self.cdp.send("Runtime.evaluate", {"expression": script("world.js"), "contextId": context_id})
        return context_id

    def forget(self, context_id: int) -> None:
        if self.context_id == context_id:
            self.context_id = None


_WORLDS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def attach(page, cdp) -> None:
    """Run `page`'s scripts over this DevTools session (one the capture already has open)."""
    _WORLDS[page] = _World(cdp)


async def _world(page) -> _World:
    world = _WORLDS.get(page)
    if world is None:
        world = _WORLDS[page] = _World(await page.context.new_cdp_session(page))
    return world


async def evaluate(page, js: str, arg=None):
    """Call the function expression `js` with `arg` in pagekeep's world of the page's main frame."""
    world = await _world(page)
    params = {"functionDeclaration": js, "returnByValue": True, "awaitPromise": True, "userGesture": True}
    if arg is not None:
        params["arguments"] = [{"value": arg}]
    for retry in (True, False):
        params["executionContextId"] = context_id = await world.context()
        try:
            reply = await world.cdp.send("Runtime.callFunctionOn", params)
            break
        except Exception as exc:
            msg = str(exc)
            lost = "Cannot find context" in msg   # the document this world belonged to is gone
            if lost:
                world.forget(context_id)
                if retry:
                    continue
            if lost or any(sign in msg for sign in _GONE_SIGNS):
                raise Navigated(NAVIGATED) from None
            raise
    if "exceptionDetails" in reply:
        raise ScriptError(f"Page.evaluate: {_description(reply['exceptionDetails'])}")
    return _value(reply["result"])


def _description(details: dict) -> str:
    exc = details.get("exception") or {}
    text = exc.get("description") or str(exc.get("value", "")) or details.get("text") or "script error"
    return text.splitlines()[0]


def _value(result: dict):
    if "value" in result:
        return result["value"]
    raw = result.get("unserializableValue")
    if raw is None:
        return None   # undefined, or nothing that crosses as a value (a node, a function)
    if raw in _UNSERIALIZABLE:
        return _UNSERIALIZABLE[raw]
    return int(raw[:-1]) if raw.endswith("n") else None
