"""Get past consent banners, and record what was done.

Modes: "reject" (default: refuse where a refusal path exists, never accept;
where a wall opens only on a choice, the refusal is the choice), "accept", or
"off". Per-domain overrides come from a config file (see consent_config.py).

Two layers, in this order:

1. DuckDuckGo's autoconsent (the `duckduckgo-autoconsent-py` package: the
   upstream content script and its declarative rules, MPL-2.0). `install()`
   adds its content script as an init script, so it runs in every frame,
   cross-origin iframes included, before the page's own scripts, and exposes
   the binding through which it talks to us. autoconsent detects the CMP and
   opts out (or in) by itself; Python answers its "init" (config + the rules
   that can apply to that frame) and "eval" messages, and records what it
   reports (cmpDetected, popupFound, optOutResult, autoconsentDone...).
2. pagekeep's own fallback (js/consent_fallback.js) for what no rule matches:
   buttons found by their words in the main European languages, in the page,
   its open shadow roots and its layered iframes; then (js/overlays.js, afterConsent)
   hiding what still covers the viewport and releasing scroll locks.

Time is bounded: `handle()` waits for autoconsent only while a popup it found
is being answered (at most POPUP_CAP_S after it was found) or a CMP it just
detected may still show one (DETECT_GRACE_S); a page where nothing was
detected costs one fallback evaluation. After any click the page gets to
settle again (a consent wall loads the article only then).

`install()` before navigation, `handle()` once the page has settled (the
pipeline calls it once more after scrolling when nothing was found, as the
last look); after that autoconsent is stopped.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
import weakref
from dataclasses import asdict, dataclass, field
from functools import lru_cache

from . import isolated
from .consent_config import ConsentPolicy, as_policy
from .jsassets import script

MODES = ("reject", "accept", "off")

POPUP_CAP_S = 5.0        # longest wait for autoconsent to answer a popup it found
DETECT_GRACE_S = 2.5     # how long after cmpDetected a popup may still appear
AFTER_ACTION_S = 3.0     # page settling after a consent click (walls load the article then)
FRAME_BUDGET_S = 2.0     # all iframe fallback work together
ENGINE_GRACE_S = 1.2     # a banner is showing but autoconsent has not spoken yet: its next retry comes within this
MAX_INITS_PER_FRAME = 10
MAX_FRAMES_STOPPED = 12  # consent.finish() tells at most this many frames' autoconsent to stop
MAX_ATTEMPTS = 21        # 1 + detectRetries: autoconsent stops looking after these
AFTER_QUIET_S = 0.3      # after a consent click: this long without DOM changes or requests counts as settled
BINDING = "__pkConsentMessage"
MARKER = "/*__AUTOCONSENT_BUNDLE__*/"


@dataclass
class ConsentResult:
    cmp: str | None = None      # which consent manager (autoconsent rule name, or "generic") was found
    action: str | None = None   # "reject", "accept", "hide" (joined with "+" when several), "off", or None when nothing was found
    ok: bool | None = None      # did the banner go away
    detail: str | None = None

    def as_dict(self) -> dict:
        return asdict(self)


# --- autoconsent: bundle, rules, config ---------------------------------------------------------

def engine_version() -> str:
    try:
        import duckduckgo_autoconsent

        return getattr(duckduckgo_autoconsent, "__version__", "?")
    except ImportError:
        return "missing"


@lru_cache(maxsize=1)
def _init_script() -> str | None:
    """The prelude with the installed autoconsent bundle spliced in; None when the package is missing."""
    try:
        from duckduckgo_autoconsent import bundle
    except ImportError:
        return None
    code = bundle()
    # Inside our wrapper `setTimeout`/`clearTimeout` are parameters; the bundle's
    # few `window.`-qualified calls must use them too.
    code = code.replace("window.setTimeout(", "setTimeout(").replace("window.clearTimeout(", "clearTimeout(")
    return script("consent_engine.js").replace(MARKER, code)


@dataclass
class _Rulebook:
    main: list            # JSON texts of rules for any top frame
    frame: list           # JSON texts of rules for any subframe
    specific: list        # (compiled urlPattern or None, main, frame, JSON text)
    hide_only: frozenset = frozenset()  # rules whose opt-out only hides the banner (no choice is made)


def _makes_choice(steps) -> bool:
    """Does an opt-out step list click something or call the CMP's API (rather than only hide)?"""
    for step in steps or []:
        if not isinstance(step, dict):
            continue
        if "click" in step or "waitForThenClick" in step:
            return True
        if "eval" in step and not any(k in str(step["eval"]) for k in ("RESTORE", "SCROLL", "UNLOCK")):
            return True
        if any(_makes_choice(step.get(k)) for k in ("then", "else", "any")) or _makes_choice([step.get("if")]):
            return True
    return False


@lru_cache(maxsize=1)
def _rulebook() -> _Rulebook:
    try:
        from duckduckgo_autoconsent import rules_json
    except ImportError:
        return _Rulebook([], [], [])
    main, frame, specific, hide_only = [], [], [], set()
    for rule in json.loads(rules_json()):
        if rule.get("cosmetic") or (rule.get("optOut") and not _makes_choice(rule["optOut"])):
            hide_only.add(rule.get("name"))
        rc = rule.get("runContext") or {}
        in_main, in_frame = rc.get("main", True), rc.get("frame", False)
        text = json.dumps(rule, separators=(",", ":"))
        pattern = rc.get("urlPattern")
        if pattern:
            try:
                rx = re.compile(pattern)
            except re.error:
                rx = None  # let the browser's regex engine decide
            specific.append((rx, in_main, in_frame, text))
        else:
            if in_main:
                main.append(text)
            if in_frame:
                frame.append(text)
    return _Rulebook(main, frame, specific, frozenset(hide_only))


def rules_for(url: str, main_frame: bool) -> str:
    """JSON list of the declarative rules that can apply in a frame at `url` (as upstream's runner filters them)."""
    book = _rulebook()
    texts = list(book.main if main_frame else book.frame)
    for rx, in_main, in_frame, text in book.specific:
        if (in_main if main_frame else in_frame) and (rx is None or rx.search(url or "")):
            texts.append(text)
    return "[" + ",".join(texts) + "]"


def engine_config(mode: str) -> dict:
    return {
        "enabled": mode in ("reject", "accept"),
        "autoAction": "optIn" if mode == "accept" else "optOut",
        "disabledCmps": [],
        "enablePrehide": False,          # we screenshot after the choice; hiding early only hides failures
        "enableCosmeticRules": True,
        "enableGeneratedRules": True,
        "enableHeuristicDetection": False,
        "heuristicMode": "off",          # pagekeep's own fallback plays that part
        "detectRetries": 20,             # retries wait for DOM mutations: late banners are still found
        "isMainWorld": True,             # the init script runs in the page's world: rule snippets run inline
        "logs": {k: False for k in ("lifecycle", "rulesteps", "detectionsteps", "evals", "errors", "messages", "waits")},
    }


# --- per-context session: autoconsent's messages ------------------------------------------------

@dataclass
class _Event:
    t: float
    type: str
    frame: object
    main: bool
    msg: dict


@dataclass
class _Session:
    policy: ConsentPolicy
    events: list = field(default_factory=list)
    trackers: dict = field(default_factory=dict)
    changed: asyncio.Event = field(default_factory=asyncio.Event)
    inits: int = 0
    frames: dict = field(default_factory=dict)   # id(frame) -> {"frame", "main", "init", "attempts", "attempt_t", "lifecycle"}
    main_page: object = None                     # the capture's page; pop-ups (closed at once) get no rules

    def mode_for_frame(self, frame, url: str | None) -> str:
        try:
            top = url if frame.parent_frame is None else frame.page.main_frame.url
        except Exception:
            top = url
        return self.policy.mode_for(top)

    async def on_message(self, source, msg) -> None:
        if not isinstance(msg, dict):
            return
        frame = source.get("frame") if isinstance(source, dict) else getattr(source, "frame", None)
        if frame is None:
            return
        kind = msg.get("type")
        try:
            main = frame.parent_frame is None
        except Exception:
            main = False
        if kind == "init":
            try:
                if self.main_page is not None and frame.page is not self.main_page:
                    return
            except Exception:
                return
            prev = self.frames.get(id(frame))
            if prev is not None and prev.get("count", 0) >= MAX_INITS_PER_FRAME:
                return  # a frame reloading itself in a loop (or a page calling the binding) gets no more rules
            self.inits += 1
            self.frames[id(frame)] = {"count": (prev or {}).get("count", 0) + 1, "frame": frame, "main": main,
                                      "init": time.monotonic(), "attempts": 0, "attempt_t": None, "lifecycle": "init"}
            mode = self.mode_for_frame(frame, msg.get("url"))
            config = engine_config(mode)
            if not config["enabled"]:
                self.frames[id(frame)]["lifecycle"] = "disabled"
            rules = rules_for(msg.get("url") or frame.url, main) if config["enabled"] else "[]"
            await _quietly(frame.evaluate(_INIT_RESP_JS, [config, rules]))
            return
        if kind == "eval":  # only when a snippet could not run inline
            try:
                result = bool(await frame.evaluate(msg.get("code") or "false"))
            except Exception:
                result = False
            reply = json.dumps({"type": "evalResp", "id": msg.get("id"), "result": result})
            await _quietly(frame.evaluate(f"window.autoconsentReceiveMessage && window.autoconsentReceiveMessage({reply})"))
            return
        if kind == "report":
            st = self.frames.get(id(frame))
            if st is not None:
                if msg.get("attempts", 0) != st["attempts"]:
                    st["attempts"], st["attempt_t"] = msg.get("attempts", 0), time.monotonic()
                st["lifecycle"] = msg.get("lifecycle")
            return
        self.events.append(_Event(time.monotonic(), kind, frame, main, msg))
        self.changed.set()

    def may_still_detect(self, page, dom_quiet_s: float | None, frames_only: bool = False,
                         main_state: dict | None = None) -> bool:
        """Could autoconsent still recognise what is on screen now? (False: it already looked and found nothing.)

        `main_state`: autoconsent's state read from the main frame just now (attempts, seconds
        since its last look), fresher than the messages, which carry only its first look.
        """
        now = time.monotonic()
        for st in self.frames.values():
            try:
                if st["frame"].page is not page or st["frame"].is_detached():
                    continue
            except Exception:
                continue
            if st["lifecycle"] not in ("init", "initialized", "started"):
                continue  # it has concluded (nothing found, or a CMP: then its own messages tell)
            attempts, attempt_t = st["attempts"], st["attempt_t"]
            if st["main"] and main_state and main_state.get("sinceAttempt") is not None:
                attempts, attempt_t = main_state.get("attempts", attempts), now - main_state["sinceAttempt"]
            if attempt_t is None:
                if now - st["init"] < 3.0:
                    return True  # initialised, first look still to come
                continue
            if frames_only or not st["main"]:
                continue
            if attempts > MAX_ATTEMPTS:
                continue  # gave up
            if dom_quiet_s is None or attempt_t < now - dom_quiet_s + 0.1:
                return True  # the page changed after its last look: it looks again on that change
        return False

    def of(self, kind: str) -> list:
        return [e for e in self.events if e.type == kind]

    def pending(self, now: float) -> float:
        """Seconds still worth waiting for autoconsent (0 when nothing is in progress)."""
        results = self.of("optOutResult") + self.of("optInResult")
        wait = 0.0
        for p in self.of("popupFound"):
            answered = any(r.frame is p.frame and r.msg.get("cmp") == p.msg.get("cmp") and r.t >= p.t for r in results)
            if not answered:
                wait = max(wait, p.t + POPUP_CAP_S - now)
        popups = self.of("popupFound")
        for d in self.of("cmpDetected"):
            if any(p.frame is d.frame for p in popups):
                continue
            wait = max(wait, d.t + DETECT_GRACE_S - now)
        return max(0.0, wait)

    async def wait_for_news(self, seconds: float) -> None:
        """Wait until autoconsent detects a CMP or finds a popup, at most `seconds`."""
        def count():
            return sum(1 for e in self.events if e.type in ("cmpDetected", "popupFound"))

        before, stop = count(), time.monotonic() + seconds
        while count() == before:
            left = stop - time.monotonic()
            if left <= 0:
                return
            self.changed.clear()
            try:
                await asyncio.wait_for(self.changed.wait(), timeout=left)
            except asyncio.TimeoutError:
                return
        await asyncio.sleep(0.05)  # let a burst of messages (cmpDetected, popupFound) land

    async def settle(self, deadline) -> None:
        """Wait (bounded) until autoconsent has answered what it found."""
        while True:
            now = time.monotonic()
            wait = min(self.pending(now), max(0.0, deadline.left() - 4.0))
            if wait <= 0.02:
                return
            self.changed.clear()
            try:
                await asyncio.wait_for(self.changed.wait(), timeout=wait)
            except asyncio.TimeoutError:
                return


# The rules arrive as JSON text and are parsed with JSON.parse: V8 reads 200 KB of JSON
# several times faster than the same data written as a JavaScript object literal.
_INIT_RESP_JS = """([config, rules]) => window.autoconsentReceiveMessage &&
    window.autoconsentReceiveMessage({type: "initResp", config, rules: {autoconsent: JSON.parse(rules)}})"""

_SESSIONS: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


async def _quietly(awaitable, timeout: float = 5.0):
    try:
        return await asyncio.wait_for(awaitable, timeout=timeout)
    except Exception:  # frame detached, navigation, closed context: nothing to do
        return None


async def install(context, mode, config=None) -> None:
    """Before navigation: autoconsent in every frame, and the binding it reports through.

    `mode` is the default ("reject", "accept", "off") or a ready ConsentPolicy;
    `config` an optional path to a per-domain config file (else the default
    file, when it exists, is read).
    """
    policy = as_policy(mode, config)
    session = _Session(policy)
    _SESSIONS[context] = session
    if not policy.may_engage():
        return
    init = _init_script()
    if init is None:
        return  # the fallback still works without the package

    def track(page):
        from .settle import NetworkTracker

        if session.main_page is None:
            session.main_page = page
            session.trackers[page] = NetworkTracker(page)

    context.on("page", track)
    # Sessions hold frames and pages (which hold the context): drop them explicitly.
    context.on("close", lambda _ctx=None: _SESSIONS.pop(context, None))
    await context.expose_binding(BINDING, session.on_message)
    await context.add_init_script(init)


# --- handle: after the page settled --------------------------------------------------------------

async def handle(page, mode, deadline, last: bool = False) -> ConsentResult:
    """Get past the banner, if any. Once something was done, or when `last` (pagekeep will not
    look again on this page), autoconsent is stopped (finish())."""
    result = await _handle(page, mode, deadline)
    if last or result.action is not None:
        await finish(page)
    return result


async def _handle(page, mode, deadline) -> ConsentResult:
    session = _SESSIONS.get(page.context)
    if session is None:
        session = _Session(as_policy(mode))
    eff = session.policy.mode_for(page.url)
    if eff == "off":
        return ConsentResult(action="off")
    started = time.monotonic()
    notes: list[str] = []
    engine_on = session.inits > 0

    # 1. autoconsent: wait (bounded) for what it found to be answered.
    await session.settle(deadline)
    dry = None
    if engine_on and not session.of("popupFound"):
        # A banner is showing that autoconsent has said nothing about yet: it
        # retries on DOM changes, so give it a moment before our fallback acts.
        dry = await _in_page(page, _look_js(), {"mode": eff, "dry": True})
        if dry and (dry.get("found") or dry.get("frames")):
            if session.may_still_detect(page, dry.get("quietFor"), frames_only=not dry.get("found"),
                                        main_state=dry.get("engine")):
                await session.wait_for_news(min(ENGINE_GRACE_S, max(0.0, deadline.left() - 4.0)))
                await session.settle(deadline)
    cmp, action, engine_failed = _engine_outcome(session, notes)
    found = acted = action is not None
    found = found or engine_failed
    if acted:
        await _after_action(page, session, deadline)

    # 2. pagekeep's fallback: the page, then layered iframes (not when a look
    #    just now found nothing: a page without a banner costs one evaluation).
    if not found and dry is not None and not dry.get("found") and not dry.get("frames"):
        return ConsentResult()
    fb_actions, fb_notes = await _fallback(page, session, eff, deadline)
    if fb_actions:
        found = True
        cmp = cmp or "generic"
        action = "+".join(dict.fromkeys(([action] if action else []) + fb_actions))
        notes += fb_notes

    if not found:
        return ConsentResult()

    # 3. whatever still covers the viewport, and scroll locks; then is any consent layer left showing?
    after = await _in_page(page, _cover_then_look_js(), {"overlays": {"afterConsent": True, "minCover": 0.4},
                                                         "look": {"mode": eff, "dry": True}}) or {}
    covered = after.get("covered") or []
    if covered:
        notes.append("; ".join(covered))
        if any(c.startswith("hid ") for c in covered) and "hide" not in (action or "").split("+"):
            action = f"{action}+hide" if action else "hide"

    ok = _gone(after.get("look"))
    if engine_failed and not fb_actions and not any(c.startswith("hid ") for c in covered):
        ok = False  # autoconsent found a popup it could not answer, and nothing else touched it
    notes.append(f"{time.monotonic() - started:.2f}s")
    return ConsentResult(cmp=cmp, action=action, ok=ok, detail="; ".join(notes))


async def finish(page) -> None:
    """The capture is past consent: stop autoconsent looking again after every DOM change
    (it would otherwise run all its rules every half second until the page is closed)."""
    session = _SESSIONS.get(page.context)
    if session is None or not session.frames:
        return
    frames = [st["frame"] for st in session.frames.values()
              if st["lifecycle"] in ("init", "initialized", "started")][:MAX_FRAMES_STOPPED]
    await asyncio.gather(*(_evaluate(f, "() => window.__pkConsentStop && window.__pkConsentStop()", timeout=1)
                           for f in frames))


def _engine_outcome(session: _Session, notes: list) -> tuple:
    """(cmp, action, failed) from autoconsent's messages; action None when it answered nothing."""
    answers = session.of("optOutResult") + session.of("optInResult")
    done = [e for e in answers if e.msg.get("result")]
    popups = session.of("popupFound")
    version = engine_version()
    if done:
        hide_only = _rulebook().hide_only
        finished = {(id(e.frame), e.msg.get("cmp")): e for e in session.of("autoconsentDone")}

        def hides(e) -> bool:
            d = finished.get((id(e.frame), e.msg.get("cmp")))
            return e.msg.get("cmp") in hide_only or bool(d and d.msg.get("isCosmetic"))

        def weight(e):
            d = finished.get((id(e.frame), e.msg.get("cmp")))
            return (not hides(e), d.msg.get("totalClicks", 0) if d else 0, not e.main, -e.t)

        best = max(done, key=weight)
        action = "hide" if hides(best) else ("accept" if best.type == "optInResult" else "reject")
        where = "main frame" if best.main else f"frame {best.frame.url[:80]}"
        names = ", ".join(sorted({e.msg.get("cmp") for e in done}))
        notes.append(f"autoconsent {version}: {names} answered; {best.msg.get('cmp')} in {where} ({action})")
        unanswered = sorted({p.msg.get("cmp") for p in popups} - {e.msg.get("cmp") for e in done})
        if unanswered:
            notes.append(f"autoconsent gave no answer for {', '.join(unanswered)}")
        return best.msg.get("cmp"), action, False
    if popups:
        failed = [e.msg.get("cmp") for e in answers]
        state = "could not answer" if failed else "gave no answer in time for"
        notes.append(f"autoconsent {version} {state} {', '.join(sorted({p.msg.get('cmp') for p in popups}))}")
        return popups[0].msg.get("cmp"), None, True
    return None, None, False


async def _evaluate(frame, code: str, arg=None, timeout: float = 3.0):
    return await _quietly(frame.evaluate(code, arg), timeout=timeout)


async def _in_page(page, code: str, arg=None, timeout: float = 3.0):
    """pagekeep's own scripts in the main frame run in its isolated world (isolated.py)."""
    return await _quietly(isolated.evaluate(page, code, arg), timeout=timeout)


async def _after_action(page, session: _Session, deadline) -> None:
    """Let the page react to a consent choice: a wall fetches the article only now.

    Settled = no DOM change, no request in flight or just finished, and no short
    timer pending, for AFTER_QUIET_S; at most AFTER_ACTION_S.
    """
    from .settle import NetworkTracker, wait_quiet

    tracker = session.trackers.get(page)
    if tracker is None:
        tracker = session.trackers[page] = NetworkTracker(page)
    await asyncio.sleep(0.1)
    await wait_quiet(page, tracker, deadline, max_s=min(AFTER_ACTION_S, max(0.0, deadline.left() - 4.1)),
                     quiet_ms=int(AFTER_QUIET_S * 1000))


async def _fallback(page, session: _Session, mode: str, deadline) -> tuple[list, list]:
    actions: list[str] = []
    notes: list[str] = []
    code = script("consent_fallback.js")
    frames_seen = []
    for _round in range(3):  # a refusal may open a second step ("are you sure?")
        res = await _in_page(page, code, {"mode": mode})
        if not res:
            break
        frames_seen = res.get("frames") or []
        if not res.get("found"):
            break
        actions.append(res["action"])
        notes.append(f'fallback: {res.get("banner")}: ' + (f'clicked "{res["button"]}"' if res.get("button") else "no refusal button, hidden"))
        if not res.get("clicked"):
            break
        await _after_action(page, session, deadline)
        hidden = await _in_page(page, _HIDE_MARKED_JS)
        if hidden:
            actions.append("hide")
            notes.append("fallback: banner stayed after the click, hidden")
    if actions or not frames_seen:
        return actions, notes
    # Layered iframes (a banner in a cross-origin frame no rule knew).
    stop = time.monotonic() + FRAME_BUDGET_S
    for frame in page.main_frame.child_frames:
        if time.monotonic() > stop:
            break
        try:
            el = await asyncio.wait_for(frame.frame_element(), timeout=1)
            index = await asyncio.wait_for(el.get_attribute("data-pk-consent-frame"), timeout=1)
        except Exception:
            continue
        if index is None:
            continue
        res = await _evaluate(frame, code, {"mode": mode, "frame": True}, timeout=max(0.2, stop - time.monotonic()))
        if not res or not res.get("found"):
            continue
        actions.append(res["action"])
        notes.append(f'fallback in frame {frame.url[:80]}: ' + (f'clicked "{res["button"]}"' if res.get("button") else "no refusal button"))
        if res.get("clicked"):
            await _after_action(page, session, deadline)
        if await _quietly(el.is_visible(), timeout=1):
            await _quietly(el.evaluate(_HIDE_FRAME_LAYER_JS), timeout=1)
            actions.append("hide")
            notes.append("fallback: frame still showing, its layer hidden")
        break
    return actions, notes


_HIDE_MARKED_JS = """() => {
    let n = 0;
    for (const el of document.querySelectorAll('[data-pk-consent]')) {
        const r = el.getBoundingClientRect(), cs = getComputedStyle(el);
        if (el.isConnected && r.width > 0 && r.height > 0 && cs.display !== 'none' && cs.visibility !== 'hidden') {
            el.style.setProperty('display', 'none', 'important'); el.setAttribute('data-pk-removed', 'consent'); n++;
        }
    }
    return n; }"""

_HIDE_FRAME_LAYER_JS = """(frame) => {
    let layer = frame;
    for (let n = frame; n && n !== document.body; n = n.parentElement) {
        const cs = getComputedStyle(n);
        if (cs.position === 'fixed' || cs.position === 'sticky') { layer = n; break; }
    }
    layer.style.setProperty('display', 'none', 'important');
    layer.setAttribute('data-pk-removed', 'consent');
    return true; }"""


@lru_cache(maxsize=1)
def _look_js() -> str:
    """A dry fallback look, with how long the DOM has been quiet (js/activity.js) and where autoconsent
    stands in the main frame (js/consent_engine.js): one call into the page."""
    return f"""(arg) => {{
        const look = ({script('consent_fallback.js')})(arg);
        if (!look) return look;
        const pk = window.__pk, st = window.__pkConsentState, now = performance.now();
        look.quietFor = pk && pk.snapshot ? pk.snapshot().quietFor / 1000 : null;
        look.engine = st ? {{lifecycle: st.lifecycle, attempts: st.attempts,
                            sinceAttempt: st.lastAttempt == null ? null : (now - st.lastAttempt) / 1000}} : null;
        return look;
    }}"""


@lru_cache(maxsize=1)
def _cover_then_look_js() -> str:
    """overlays.js (afterConsent), then a dry fallback look: one call into the page instead of two."""
    return (f"(arg) => ({{covered: ({script('overlays.js')})(arg.overlays), "
            f"look: ({script('consent_fallback.js')})(arg.look)}})")


def _gone(look: dict | None) -> bool:
    """True when no consent layer is left showing (our own detection, dry run)."""
    if not look:
        return True
    return not look.get("found") and not look.get("visible")
