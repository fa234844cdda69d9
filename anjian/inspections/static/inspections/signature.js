/* Signature pads: draw with a finger (or mouse) on each canvas[data-signature]; the drawing is
 * kept as a PNG data URL in the hidden input the attribute names. "Clear" empties it. */
(function () {
  "use strict";

  function pad(canvas) {
    var input = document.getElementById(canvas.getAttribute("data-signature"));
    var ctx = canvas.getContext("2d");
    var drawing = false;
    var drawn = false;

    function size() {
      var rect = canvas.getBoundingClientRect();
      canvas.width = Math.max(200, Math.round(rect.width));
      canvas.height = Math.max(100, Math.round(rect.height));
      ctx.fillStyle = "#fff";
      ctx.fillRect(0, 0, canvas.width, canvas.height);
      ctx.lineWidth = 2.5; ctx.lineCap = "round"; ctx.lineJoin = "round"; ctx.strokeStyle = "#111";
      if (input.value) {
        var img = new Image();
        img.onload = function () { ctx.drawImage(img, 0, 0, canvas.width, canvas.height); drawn = true; };
        img.src = input.value;
      }
    }
    function point(event) {
      var rect = canvas.getBoundingClientRect();
      return {
        x: (event.clientX - rect.left) * (canvas.width / rect.width),
        y: (event.clientY - rect.top) * (canvas.height / rect.height)
      };
    }
    canvas.addEventListener("pointerdown", function (event) {
      drawing = true;
      canvas.setPointerCapture && canvas.setPointerCapture(event.pointerId);
      var p = point(event);
      ctx.beginPath(); ctx.moveTo(p.x, p.y);
      event.preventDefault();
    });
    canvas.addEventListener("pointermove", function (event) {
      if (!drawing) return;
      var p = point(event);
      ctx.lineTo(p.x, p.y); ctx.stroke();
      drawn = true;
      event.preventDefault();
    });
    function end() {
      if (!drawing) return;
      drawing = false;
      if (drawn) {
        input.value = canvas.toDataURL("image/png");
        canvas.setAttribute("data-signed", "true");
      }
    }
    canvas.addEventListener("pointerup", end);
    canvas.addEventListener("pointerleave", end);
    canvas.addEventListener("pointercancel", end);
    var clear = document.querySelector('[data-signature-clear="' + canvas.getAttribute("data-signature") + '"]');
    if (clear) {
      clear.addEventListener("click", function () {
        input.value = ""; drawn = false; canvas.removeAttribute("data-signed"); size();
      });
    }
    size();
    if (input.value) canvas.setAttribute("data-signed", "true");
  }

  function start() { document.querySelectorAll("canvas[data-signature]").forEach(pad); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
