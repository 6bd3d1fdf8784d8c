// Draws every [data-plotly-src] element from the JSON of the <script type="application/json">
// element it names. Runs on page load and on every htmx swap (htmx.onLoad), so fragments that
// replace #results redraw their charts with Plotly.react (no inline scripts: CSP-friendly).
(function () {
  "use strict";
  var config = { responsive: true, displaylogo: false, modeBarButtonsToRemove: ["lasso2d", "select2d"] };

  function draw(root) {
    var nodes = root.querySelectorAll ? root.querySelectorAll("[data-plotly-src]") : [];
    if (root.matches && root.matches("[data-plotly-src]")) { nodes = [root].concat(Array.prototype.slice.call(nodes)); }
    Array.prototype.forEach.call(nodes, function (el) {
      var source = document.getElementById(el.getAttribute("data-plotly-src"));
      if (!source || typeof Plotly === "undefined") { return; }
      var spec = JSON.parse(source.textContent);
      Plotly.react(el, spec.data || [], spec.layout || {}, config);
    });
  }

  if (window.htmx) {
    htmx.onLoad(draw);
  } else {
    document.addEventListener("DOMContentLoaded", function () { draw(document); });
  }
})();
