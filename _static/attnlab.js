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

// The page says when it is ready: once it has loaded, every explorable has drawn its first state
// and every embedded ipywidget has been drawn, <html> gets data-attnlab-ready="1" (the browser
// tests wait for it instead of for the network to fall quiet).
(function () {
  "use strict";
  function ready() {
    var explorables = document.querySelectorAll("[data-attnlab-explorable]");
    for (var i = 0; i < explorables.length; i++) {
      if (!explorables[i].hasAttribute("data-state")) return false;
    }
    var views = document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]');
    for (var j = 0; j < views.length; j++) {
      if (!views[j].parentElement.querySelector(".jupyter-widgets")) return false;
    }
    return true;
  }
  function check() {
    if (ready()) document.documentElement.setAttribute("data-attnlab-ready", "1");
    else setTimeout(check, 100);
  }
  if (document.readyState === "complete") check();
  else window.addEventListener("load", check);
})();

