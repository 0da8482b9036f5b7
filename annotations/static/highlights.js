/* pagekeep: turn a selection in the clean text into a highlight's code-point offsets.
   Each paragraph is <p data-pk-start=N> holding its exact slice of the article's text, so
   the offset of a point is N plus the code points before it in that paragraph: the same
   numbers `pagekeep highlight` stores. Without script the form takes a typed passage. */
document.addEventListener("DOMContentLoaded", function () {
  var body = document.getElementById("pk-body");
  var form = document.getElementById("pk-hlform");
  if (!body || !form) return;
  var start = form.elements.pos_start, end = form.elements.pos_end, quote = form.elements.quote;
  var occurrence = form.elements.occurrence;

  function codePoints(s) {  // a surrogate pair is one code point, as in Python
    var n = 0;
    for (var i = 0; i < s.length; i++) { var c = s.charCodeAt(i); if (c < 0xdc00 || c > 0xdfff) n++; }
    return n;
  }
  function paragraphOf(node) {
    var el = node.nodeType === 1 ? node : node.parentElement;
    return el ? el.closest("p[data-pk-start]") : null;
  }
  function offset(p, node, off) {
    var r = document.createRange();
    r.setStart(p, 0);
    r.setEnd(node, off);
    return Number(p.getAttribute("data-pk-start")) + codePoints(r.toString());
  }
  function anchorOf(range) {
    var ps = Array.prototype.filter.call(body.querySelectorAll("p[data-pk-start]"),
      function (p) { return range.intersectsNode(p); });
    if (!ps.length) return null;
    var first = ps[0], last = ps[ps.length - 1];
    var s = paragraphOf(range.startContainer) === first ? offset(first, range.startContainer, range.startOffset)
      : Number(first.getAttribute("data-pk-start"));
    var e = paragraphOf(range.endContainer) === last ? offset(last, range.endContainer, range.endOffset)
      : Number(last.getAttribute("data-pk-start")) + codePoints(last.textContent);
    return e > s ? [s, e] : null;
  }
  document.addEventListener("selectionchange", function () {
    var sel = window.getSelection();
    if (!sel || !sel.rangeCount || sel.isCollapsed) return;
    var range = sel.getRangeAt(0);
    if (!body.contains(range.commonAncestorContainer) && !range.intersectsNode(body)) return;
    var a = anchorOf(range);
    if (!a) return;
    start.value = a[0];
    end.value = a[1];
    quote.value = sel.toString().replace(/\s+/g, " ").trim();
    occurrence.value = "";
  });
  quote.addEventListener("input", function () { start.value = ""; end.value = ""; });
});
