// From a Line to Attention: the web book's own script (Jupyter Book loads every .js in _static).
// A kernel-only widget's Output area shows the figure captured when the book was built, as an
// <img> without alt text; give each such image one, so screen readers can tell what it is.
(function () {
  "use strict";
  var ALT = "Starting state of this live widget, as drawn when the book was built " +
    "(run the notebook to change it).";
  function label() {
    document.querySelectorAll(".tag_kernel-only img").forEach(function (img) {
      if (!(img.getAttribute("alt") || "").trim()) img.setAttribute("alt", ALT);
    });
  }
  function start() {
    label();
    if (window.MutationObserver) {
      new MutationObserver(label).observe(document.body, {childList: true, subtree: true});
    }
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
