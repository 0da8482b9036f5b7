(function () {
  var bar = document.querySelector(".progress__bar");
  var story = document.getElementById("story");
  function onScroll() {
    if (!bar || !story) return;
    var r = story.getBoundingClientRect();
    var total = r.height - window.innerHeight;
    var done = total > 0 ? Math.min(1, Math.max(0, -r.top / total)) : 1;
    bar.style.width = (done * 100).toFixed(1) + "%";
  }
  window.addEventListener("scroll", onScroll, { passive: true });
  onScroll();
  var toc = document.querySelector(".toc");
  if (toc) {
    var btn = toc.querySelector(".toc__toggle");
    btn.addEventListener("click", function () {
      var closed = toc.classList.toggle("is-closed");
      btn.textContent = closed ? "Show" : "Hide";
      btn.setAttribute("aria-expanded", String(!closed));
    });
  }
})();
