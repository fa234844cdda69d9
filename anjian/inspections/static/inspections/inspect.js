/* The checklist page on a phone: every answer is saved as it is given.
 *
 * An answer (result + note) goes first into localStorage ("anjian-inspection-<id>"), then to the
 * server; it leaves localStorage only when the server has it. Answers not sent (no connection)
 * are sent again when the browser fires "online" and on the next load of the page. The page is
 * rendered from the server's state, so answers already saved survive a reload; unsent ones are
 * laid over it. Photos are sent at once; a photo that could not be sent is kept in memory and
 * retried with the answers.
 *
 * The "not sent yet" notice is a toast fixed to the bottom of the screen (it never moves the
 * buttons) and shows only answers whose sending failed, not one being sent. The answered count is
 * the page's own: every card with an answer, sent or kept on the phone.
 */
(function () {
  "use strict";

  function start() {
    var root = document.querySelector("[data-inspect]");
    if (!root) return;
    var id = root.getAttribute("data-inspect");
    var storageKey = "anjian-inspection-" + id;
    var csrf = (root.querySelector("input[name=csrfmiddlewaretoken]") || {}).value || "";
    var status = root.querySelector("[data-testid=sync-status]");
    var answered = root.querySelector("[data-testid=answered-count]");
    var files = {}; // item id -> [File] not yet sent
    var sending = {};
    var failed = {}; // item id -> true: its last sending did not reach the server

    function msg(name) { return root.getAttribute("data-msg-" + name) || name; }

    function load() {
      try { return JSON.parse(window.localStorage.getItem(storageKey) || "{}"); }
      catch (e) { return {}; }
    }
    function store(queue) {
      try {
        if (Object.keys(queue).length) window.localStorage.setItem(storageKey, JSON.stringify(queue));
        else window.localStorage.removeItem(storageKey);
      } catch (e) { /* private mode: the answer is still sent */ }
    }
    function card(itemId) { return root.querySelector('.inspect-item[data-item="' + itemId + '"]'); }

    function setState(el, state, text) {
      var box = el.querySelector("[data-testid=item-state]");
      box.setAttribute("data-state", state);
      box.textContent = text;
    }
    function showResult(el, result) {
      el.setAttribute("data-result", result);
      refreshCount();
      el.querySelectorAll("button[name=result]").forEach(function (b) {
        var on = b.value === result;
        b.classList.toggle("active", on);
        b.setAttribute("aria-pressed", on ? "true" : "false");
      });
    }
    function refreshStatus() {
      var n = Object.keys(failed).length;
      status.textContent = n ? msg("pending") + " (" + n + ")" : "";
      status.setAttribute("data-pending", String(n));
      status.hidden = !n;
    }
    function refreshCount() {
      if (!answered) return;
      var n = 0;
      root.querySelectorAll(".inspect-item").forEach(function (el) {
        var r = el.getAttribute("data-result");
        if (r && r !== "unchecked") n += 1;
      });
      answered.textContent = String(n);
    }
    function addPhotos(el, photos) {
      var box = el.querySelector("[data-testid=item-photos]");
      var have = {};
      box.querySelectorAll("[data-photo]").forEach(function (a) { have[a.getAttribute("data-photo")] = true; });
      box.querySelectorAll("[data-testid=result-photo]").forEach(function (a) {
        var img = a.querySelector("img");
        if (img) have[img.getAttribute("src")] = true;
      });
      photos.forEach(function (p) {
        if (have[p.url]) return;
        var a = document.createElement("a");
        a.href = p.url; a.target = "_blank"; a.rel = "noopener";
        a.setAttribute("data-testid", "result-photo"); a.setAttribute("data-photo", p.url);
        var img = document.createElement("img");
        img.src = p.url; img.className = "rounded border inspection-thumb"; img.width = 96; img.height = 72;
        img.alt = "";
        a.appendChild(img); box.appendChild(a);
      });
    }

    function send(itemId) {
      var el = card(itemId);
      if (!el || sending[itemId]) return Promise.resolve();
      var queue = load();
      var entry = queue[itemId] || {
        result: el.getAttribute("data-result") || "unchecked",
        note: el.querySelector("textarea[name=note]").value,
        location: el.querySelector("input[name=location]").value
      };
      var photos = files[itemId] || [];
      var body = new FormData();
      body.append("result", entry.result);
      body.append("note", entry.note || "");
      body.append("location", entry.location || "");
      photos.forEach(function (f) { body.append("photos", f); });
      sending[itemId] = true;
      setState(el, "sending", msg("sending"));
      return fetch(el.getAttribute("data-url"), {
        method: "POST", body: body, credentials: "same-origin",
        headers: { "X-CSRFToken": csrf, "Accept": "application/json" }
      }).then(function (resp) {
        return resp.json().catch(function () { return {}; }).then(function (data) {
          return { resp: resp, data: data };
        });
      }).then(function (r) {
        sending[itemId] = false;
        delete failed[itemId];
        var now = load();
        if (r.resp.ok || [400, 404, 409, 413].indexOf(r.resp.status) >= 0) {
          // The server has it (or will never take it): it leaves the phone, unless changed since.
          if (now[itemId] && now[itemId].at === entry.at) delete now[itemId];
          store(now);
          if (files[itemId] === photos) delete files[itemId];
        }
        if (r.resp.ok) {
          setState(el, "saved", msg("saved"));
          addPhotos(el, r.data.photos || []);
          el.querySelector("input[type=file]").value = "";
          if (now[itemId] || files[itemId]) return send(itemId); // changed while sending
        } else {
          var text = r.data.error || "";
          if (!text && r.data.errors) {
            text = Object.keys(r.data.errors).map(function (k) {
              var v = r.data.errors[k];
              return Array.isArray(v) ? v.map(function (m) { return m.message || m; }).join(" ") : v;
            }).join(" ");
          }
          setState(el, "error", msg("error") + (text ? ": " + text : ""));
          if (r.data.locked) window.location.reload();
        }
        refreshStatus();
      }).catch(function () {
        sending[itemId] = false;
        failed[itemId] = true;
        setState(el, "pending", msg("queued"));
        refreshStatus();
      });
    }

    function remember(el, result) {
      var queue = load();
      queue[el.getAttribute("data-item")] = {
        result: result,
        note: el.querySelector("textarea[name=note]").value,
        location: el.querySelector("input[name=location]").value,
        at: Date.now()
      };
      store(queue);
    }

    var flushing = null, flushAgain = false;
    function flush() {
      // One at a time, and one round at a time (the browser's "online" and ours may both come):
      // a connection just back is often weak, and the answers keep their order.
      if (flushing) { flushAgain = true; return flushing; }
      var ids = {};
      Object.keys(load()).forEach(function (k) { ids[k] = true; });
      Object.keys(files).forEach(function (k) { ids[k] = true; });
      flushing = Object.keys(ids).reduce(function (done, k) {
        return done.then(function () { return send(k); });
      }, Promise.resolve()).then(function () {
        flushing = null;
        if (flushAgain) { flushAgain = false; return flush(); }
      });
      return flushing;
    }

    root.querySelectorAll(".inspect-item").forEach(function (el) {
      var itemId = el.getAttribute("data-item");
      el.querySelectorAll("button[name=result]").forEach(function (button) {
        button.addEventListener("click", function (event) {
          event.preventDefault();
          showResult(el, button.value);
          remember(el, button.value);
          send(itemId);
        });
      });
      el.querySelectorAll("textarea[name=note], input[name=location]").forEach(function (input) {
        input.addEventListener("change", function () {
          remember(el, el.getAttribute("data-result") || "unchecked");
          send(itemId);
        });
      });
      el.querySelector("input[type=file]").addEventListener("change", function (event) {
        var chosen = Array.prototype.slice.call(event.target.files || []);
        if (!chosen.length) return;
        files[itemId] = (files[itemId] || []).concat(chosen);
        remember(el, el.getAttribute("data-result") || "unchecked");
        send(itemId);
      });
      el.querySelector("form").addEventListener("submit", function (event) { event.preventDefault(); });
    });

    // Answers this phone has not sent yet: shown over the server's state, then sent.
    var queue = load();
    Object.keys(queue).forEach(function (itemId) {
      var el = card(itemId);
      if (!el) { delete queue[itemId]; return; }
      showResult(el, queue[itemId].result);
      el.querySelector("textarea[name=note]").value = queue[itemId].note || "";
      if (queue[itemId].location !== undefined) {
        el.querySelector("input[name=location]").value = queue[itemId].location;
      }
      setState(el, "pending", msg("queued"));
      failed[itemId] = true;
    });
    store(queue);
    refreshStatus();
    window.addEventListener("online", flush);
    flush();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
