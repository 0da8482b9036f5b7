// Scroll down a viewport at a time so lazy images and IntersectionObserver content load,
// pausing between steps, until the bottom, `maxPx` or `maxMs`; then tell observers that
// what scrolling revealed stays in view (js/reveal.js). Runs whole in the page: pauses use
// timers the activity tracker does not count (js/activity.js). Returns the last scroll offset.
async ({ step, pauseMs, maxPx, maxMs }) => {
  const pk = window.__pk;
  const sleep = (ms) => (pk && pk.sleep ? pk.sleep(ms) : new Promise((done) => setTimeout(done, ms)));
  const stop = performance.now() + maxMs;
  let y = 0;
  while (performance.now() < stop) {
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
  try { if (window.__pkReveal) window.__pkReveal.hold(); } catch (e) { /* the page's bug */ }
  return y;
}
