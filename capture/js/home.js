// Back to the top of the page, then finish the CSS transitions and finite
// animations that scrolling started (content fading or sliding in), so what is
// measured and photographed next is the end state a reader sees, not a frame
// half-way through. Endless animations (spinners, tickers) are left running.
async () => {
  window.scrollTo(0, 0);
  await Promise.race([
    new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))),
    new Promise((done) => setTimeout(done, 250)),
  ]);
  let finished = 0;
  for (const a of document.getAnimations ? document.getAnimations() : []) {
    try {
      const end = a.effect && a.effect.getComputedTiming ? a.effect.getComputedTiming().endTime : Infinity;
      if (a.playState === "running" && Number.isFinite(end)) { a.finish(); finished++; }
    } catch (e) { /* an animation that cannot be finished is left alone */ }
  }
  return finished;
}
