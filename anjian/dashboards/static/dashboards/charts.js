// The dashboard's charts: tooltips on hover or focus (each shape's data-tip), legend buttons that
// hide or show a series (shapes carry data-series), and "Show as table" (the same numbers as a
// table, always in the page for screen readers). A bar or point that has a list behind it is an
// SVG link: clicking it opens the list, with or without this script.
(function () {
  "use strict";

  function chartOf(el) {
    return el.closest("[data-chart]");
  }

  function showTip(shape, event) {
    var chart = chartOf(shape);
    if (!chart) return;
    var tip = chart.querySelector("[data-chart-tooltip]");
    var box = chart.querySelector("[data-chart-figure]");
    if (!tip || !box) return;
    tip.textContent = shape.getAttribute("data-tip");
    tip.hidden = false;
    var area = box.getBoundingClientRect();
    var x, y;
    if (event && typeof event.clientX === "number" && event.type.indexOf("mouse") === 0) {
      x = event.clientX - area.left;
      y = event.clientY - area.top;
    } else {
      var r = shape.getBoundingClientRect();
      x = r.left + r.width / 2 - area.left;
      y = r.top - area.top;
    }
    var left = Math.min(Math.max(x + 12, 0), Math.max(area.width - tip.offsetWidth, 0));
    var top = y - tip.offsetHeight - 10;
    if (top < 0) top = y + 16;
    tip.style.left = left + "px";
    tip.style.top = top + "px";
    shape.classList.add("is-active");
  }

  function hideTip(shape) {
    var chart = chartOf(shape);
    if (!chart) return;
    var tip = chart.querySelector("[data-chart-tooltip]");
    if (tip) tip.hidden = true;
    shape.classList.remove("is-active");
  }

  function shapeFrom(target) {
    if (!target || !target.closest) return null;
    var shape = target.closest(".chart-shape");
    if (!shape) {
      var link = target.closest(".chart-link");
      shape = link ? link.querySelector(".chart-shape") : null;
    }
    return shape;
  }

  document.addEventListener("mouseover", function (event) {
    var shape = shapeFrom(event.target);
    if (shape) showTip(shape, event);
  });
  document.addEventListener("mousemove", function (event) {
    var shape = shapeFrom(event.target);
    if (shape) showTip(shape, event);
  });
  document.addEventListener("mouseout", function (event) {
    var shape = shapeFrom(event.target);
    if (shape) hideTip(shape);
  });
  document.addEventListener("focusin", function (event) {
    var shape = shapeFrom(event.target);
    if (shape) showTip(shape, null);
  });
  document.addEventListener("focusout", function (event) {
    var shape = shapeFrom(event.target);
    if (shape) hideTip(shape);
  });

  document.addEventListener("click", function (event) {
    var target = event.target;
    if (!target || !target.closest) return;
    var legend = target.closest("[data-legend]");
    if (legend) {
      var chart = chartOf(legend);
      var key = legend.getAttribute("data-legend");
      var shown = legend.getAttribute("aria-pressed") !== "false";
      legend.setAttribute("aria-pressed", shown ? "false" : "true");
      chart.querySelectorAll("svg [data-series]").forEach(function (el) {
        if (el.getAttribute("data-series") !== key) return;
        var node = el.parentNode && el.parentNode.classList && el.parentNode.classList.contains("chart-link") ? el.parentNode : el;
        node.classList.toggle("chart-series-hidden", shown);
      });
      return;
    }
    var toggle = target.closest("[data-chart-toggle]");
    if (toggle) {
      var box = chartOf(toggle);
      var asTable = toggle.getAttribute("aria-pressed") !== "true";
      toggle.setAttribute("aria-pressed", asTable ? "true" : "false");
      toggle.textContent = toggle.getAttribute(asTable ? "data-label-chart" : "data-label-table");
      box.querySelector("[data-chart-table]").classList.toggle("visually-hidden", !asTable);
      box.querySelector("[data-chart-figure]").hidden = asTable;
      var legendBox = box.querySelector(".dash-legend");
      if (legendBox) legendBox.hidden = asTable;
    }
  });
})();
