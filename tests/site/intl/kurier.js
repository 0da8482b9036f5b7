/* Nordstadt Kurier – Consent-Banner und Kleinkram */
(function () {
  var banner = document.getElementById("cmp-banner");
  function schliessen(wahl) {
    document.cookie = "nk_consent=" + wahl + "; path=/; max-age=" + 60 * 60 * 24 * 365 + "; SameSite=Lax";
    document.documentElement.classList.add("cmp-done");
    if (banner && banner.parentNode) banner.parentNode.removeChild(banner);
  }
  if (banner) {
    Array.prototype.forEach.call(banner.querySelectorAll("[data-wahl]"), function (b) {
      b.addEventListener("click", function () { schliessen(b.getAttribute("data-wahl")); });
    });
  }
  Array.prototype.forEach.call(document.querySelectorAll(".teilen a, .cmp-oeffnen"), function (a) {
    a.addEventListener("click", function (e) { e.preventDefault(); });
  });
})();
