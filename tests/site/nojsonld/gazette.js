// gazette.js - site utilities (c) Carrow Valley Gazette
var gzFontSize = 15;
function gzSetFont(delta) {
  gzFontSize = Math.max(12, Math.min(22, gzFontSize + delta));
  var el = document.getElementById("storytext");
  if (el) el.style.fontSize = gzFontSize + "px";
}
window.onload = function () {
  var links = document.getElementsByTagName("a");
  for (var i = 0; i < links.length; i++) {
    if (links[i].getAttribute("data-fs")) {
      links[i].onclick = function () { gzSetFont(parseInt(this.getAttribute("data-fs"), 10)); return false; };
    }
  }
};
