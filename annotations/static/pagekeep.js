/* pagekeep: "Quote selection" on an article's record page. Everything else works without JS. */
document.addEventListener("DOMContentLoaded", function () {
  var button = document.querySelector("[data-pk-quote]");
  var body = document.getElementById("pk-body");
  var quote = document.getElementById("pk-note-quote");
  if (!button || !body || !quote) return;
  var last = "";
  document.addEventListener("selectionchange", function () {
    var sel = window.getSelection();
    if (sel && sel.rangeCount && body.contains(sel.anchorNode) && body.contains(sel.focusNode)) {
      var text = sel.toString().replace(/\s+/g, " ").trim();
      if (text) last = text;
    }
  });
  button.hidden = false;
  button.addEventListener("click", function () {
    if (last) { quote.value = last; document.getElementById("pk-note-body").focus(); }
  });
});
