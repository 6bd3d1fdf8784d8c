// Draws every [data-plotly-src] element from the JSON of the <script type="application/json">
// element it names. Runs on page load and on every htmx swap (htmx.onLoad), so fragments that
// replace #results redraw their charts with Plotly.react (no inline scripts: CSP-friendly).
//
// Each spec says how tall its plotting area must be (plot_height). The legend sits below the
// plot and needs more rows on a narrow screen, so after each draw the figure is made taller or
// shorter until the plotting area itself has that height: the legend never eats the plot.
(function () {
  "use strict";
  var config = { responsive: true, displaylogo: false, modeBarButtonsToRemove: ["lasso2d", "select2d"] };

  function fitPlotHeight(el) {
    var target = Number(el.getAttribute("data-plot-height"));
    var full = el._fullLayout;
    if (!target || !full || !full._size) { return; }
    var missing = target - full._size.h;
    if (Math.abs(missing) > 1) {
      el.style.minHeight = "";
      Plotly.relayout(el, { height: Math.round(full.height + missing) });
    }
  }

  function drawOne(el) {
    var source = document.getElementById(el.getAttribute("data-plotly-src"));
    if (!source || typeof Plotly === "undefined") { return; }
    var spec = JSON.parse(source.textContent);
    el.setAttribute("data-plot-height", spec.plot_height || "");
    // Month labels need about 72 px each: fewer of them on a phone than on a desktop.
    var xaxis = spec.layout && spec.layout.xaxis;
    if (xaxis && xaxis.nticks && el.clientWidth) {
      xaxis.nticks = Math.max(2, Math.min(xaxis.nticks, Math.floor(el.clientWidth / 72)));
    }
    // Provider names beside horizontal bars: shorter on a phone so the bars keep their room
    // (the full name stays in the hover).
    var yaxis = spec.layout && spec.layout.yaxis;
    if (yaxis && yaxis.categoryarray && el.clientWidth && el.clientWidth < 420) {
      yaxis.tickmode = "array";
      yaxis.tickvals = yaxis.categoryarray;
      yaxis.ticktext = yaxis.categoryarray.map(function (label) {
        return label.length > 18 ? label.slice(0, 17).trim() + "…" : label;
      });
    }
    Plotly.react(el, spec.data || [], spec.layout || {}, config).then(function () {
      if (!el.hasAttribute("data-fit-bound")) {
        el.setAttribute("data-fit-bound", "");
        // After every redraw (window resize included) the legend may need other rows.
        el.on("plotly_afterplot", function () { fitPlotHeight(el); });
      }
      fitPlotHeight(el);
    });
  }

  function draw(root) {
    var nodes = root.querySelectorAll ? Array.prototype.slice.call(root.querySelectorAll("[data-plotly-src]")) : [];
    if (root.matches && root.matches("[data-plotly-src]")) { nodes.unshift(root); }
    nodes.forEach(function (el) {
      // A chart inside a closed <details> has no width yet: draw it when it opens.
      var closed = el.closest("details:not([open])");
      if (closed) {
        closed.addEventListener("toggle", function () { if (closed.open) { drawOne(el); } }, { once: true });
        return;
      }
      drawOne(el);
    });
  }

  if (window.htmx) {
    htmx.onLoad(draw);
  } else {
    document.addEventListener("DOMContentLoaded", function () { draw(document); });
  }
})();
