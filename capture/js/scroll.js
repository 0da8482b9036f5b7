// Fill in what a reader would see by scrolling: lazy images, IntersectionObserver content.
// A page that does not listen to scrolling itself (js/reveal.js counts its listeners) gets
// that without moving: native lazy images and frames are made eager and every observer is
// told its targets are in view, so the browser need not draw each screenful on the way down.
// A page that does listen is scrolled down a viewport at a time, pausing between steps,
// until the bottom, `maxPx` or `maxMs`, and then told the same. Runs whole in the page:
// pauses use timers the activity tracker does not count (js/activity.js).
// Returns how far it scrolled and how many observer targets it told.
async ({ step, pauseMs, maxPx, maxMs }) => {
  const pk = window.__pk, reveal = window.__pkReveal;
  const sleep = (ms) => (pk && pk.sleep ? pk.sleep(ms) : new Promise((done) => setTimeout(done, ms)));
  const stop = performance.now() + maxMs;
  let y = 0;
  const stepThrough = !reveal || !reveal.listensToScroll || reveal.listensToScroll();
  if (!stepThrough) {
    for (const el of document.querySelectorAll("img[loading=lazy], iframe[loading=lazy]")) {
      try { el.loading = "eager"; } catch (e) { /* read-only in an odd page: scrolling would not help either */ }
    }
  }
  while (stepThrough && performance.now() < stop) {
    const el = document.scrollingElement || document.documentElement;
    const h = Math.max(el.scrollHeight, document.body ? document.body.scrollHeight : 0);
    const next = Math.min(window.scrollY + Math.round(window.innerHeight * step), h);
    window.scrollTo(0, next);
    const pos = { y: window.scrollY, h, vh: window.innerHeight };
    await sleep(pauseMs);
    const done = pos.y + pos.vh >= pos.h - 2 || pos.y >= maxPx || pos.y === y;
    y = pos.y;
    if (done) break;
  }
  let told = 0;
  try { if (reveal) told = reveal.hold(); } catch (e) { /* the page's bug */ }
  return { y, told, stepped: stepThrough };
}
