/* Floor screens: one always-focused scan field, an answer for every scan.
 *
 * - Enter in the scan field submits through htmx; the answer replaces the
 *   target, the field is cleared and focused again.
 * - Success and error each have a sound (Web Audio, no files) and a vibration.
 * - The same code twice within DOUBLE_SCAN_MS is one scan (a scanner's double read).
 * - Every action carries a scan id made here; a request retried after a
 *   timeout or a lost connection carries the same id, so it is applied once.
 * - Every error (4xx, 5xx, no connection) reaches the screen as a sentence.
 * - An answer can offer a value for the field (a quantity): shown selected.
 */
(function () {
  "use strict";

  var DOUBLE_SCAN_MS = 800;
  var RETRY_WINDOW_MS = 60000;
  var last = { code: null, at: 0 };
  var pending = null; // {form, code, scanId, at, retried}
  var audio = null;

  function scanInput() {
    return document.querySelector("[data-scan-input]");
  }

  function isOtherField(el) {
    return !!(el && el.matches && el.matches("input, textarea, select, button") &&
      !el.matches("[data-scan-input]"));
  }

  function focusScan(force) {
    var el = scanInput();
    if (!el) return;
    if (force || !isOtherField(document.activeElement)) {
      el.focus({ preventScroll: true });
      prefill(el);
    }
  }

  // An answer may offer a value for the field (a quantity, [data-prefill]):
  // it is selected, so Enter takes it and a scan or a typed digit replaces it.
  function prefill(el) {
    var source = document.querySelector("[data-prefill]");
    var offered = source ? source.getAttribute("data-prefill") : "";
    var untouched = el.value === "" || el.value === el.getAttribute("data-prefilled");
    if (!untouched) return;
    el.value = offered;
    el.setAttribute("data-prefilled", offered);
    if (offered) el.select();
  }

  function newScanId() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }

  function tone(kind) {
    document.body.setAttribute("data-last-tone", kind);
    try {
      var Ctx = window.AudioContext || window.webkitAudioContext;
      if (Ctx) {
        audio = audio || new Ctx();
        var notes = kind === "error"
          ? [[220, 0, 0.16], [175, 0.2, 0.22]]
          : [[1320, 0, 0.08]];
        notes.forEach(function (n) {
          var osc = audio.createOscillator();
          var gain = audio.createGain();
          osc.type = kind === "error" ? "square" : "sine";
          osc.frequency.value = n[0];
          gain.gain.value = 0.12;
          osc.connect(gain);
          gain.connect(audio.destination);
          var t = audio.currentTime + n[1];
          osc.start(t);
          osc.stop(t + n[2]);
        });
      }
    } catch (e) { /* no sound on this device */ }
    if (navigator.vibrate) {
      navigator.vibrate(kind === "error" ? [120, 60, 120] : 40);
    }
  }

  function showSentence(form, sentence) {
    var target = document.querySelector(form.getAttribute("hx-target") || "#answer");
    if (!target) return;
    target.innerHTML = "";
    var box = document.createElement("div");
    box.className = "answer answer-error";
    box.setAttribute("role", "alert");
    box.setAttribute("data-tone", "error");
    var p = document.createElement("p");
    p.className = "answer-text";
    p.textContent = sentence;
    box.appendChild(p);
    target.appendChild(box);
    tone("error");
  }

  function scanForm(elt) {
    return elt && elt.closest ? elt.closest("[data-scan-form]") : null;
  }

  document.addEventListener("htmx:configRequest", function (evt) {
    var form = scanForm(evt.detail.elt);
    if (!form) return;
    var input = form.querySelector("[data-scan-input]");
    var code = input ? input.value.trim() : "";
    var now = Date.now();
    if (input && !code) {
      evt.preventDefault();
      focusScan(true);
      return;
    }
    var isRetry = pending && pending.form === form && pending.code === code &&
      now - pending.at < RETRY_WINDOW_MS;
    if (!isRetry && code === last.code && now - last.at < DOUBLE_SCAN_MS) {
      evt.preventDefault(); // the scanner read the same code twice
      if (input) input.value = "";
      return;
    }
    last = { code: code, at: now };
    if (evt.detail.verb !== "get") {
      var scanId = isRetry ? pending.scanId : newScanId();
      evt.detail.parameters.set
        ? evt.detail.parameters.set("scan_id", scanId)
        : (evt.detail.parameters.scan_id = scanId);
      pending = { form: form, code: code, scanId: scanId, at: now, retried: isRetry && pending.retried };
    }
    if (input) input.value = "";
    form.setAttribute("aria-busy", "true");
  });

  document.addEventListener("htmx:beforeSwap", function (evt) {
    var status = evt.detail.xhr.status;
    var body = evt.detail.serverResponse || "";
    if (status >= 400 && body.indexOf("answer") === -1) {
      // Not one of our answers (a proxy's error page, say): say it plainly.
      evt.detail.serverResponse =
        '<div class="answer answer-error" role="alert" data-tone="error"><p class="answer-text">' +
        (status >= 500 ? "The server could not answer. Nothing was saved; scan again."
          : "That was refused (" + status + "). Scan again or ask a supervisor.") +
        "</p></div>";
    }
  });

  document.addEventListener("htmx:afterRequest", function (evt) {
    var form = scanForm(evt.detail.elt);
    if (!form) return;
    form.removeAttribute("aria-busy");
    var xhr = evt.detail.xhr;
    if (!xhr || xhr.status === 0) return; // no answer: handled by sendError / timeout
    pending = null;
    // An answer can be an error in its own right (an unknown barcode recorded for
    // a supervisor) while the request itself succeeded.
    var bad = xhr.status >= 400 || xhr.getResponseHeader("X-Scan-Tone") === "error";
    tone(bad ? "error" : "ok");
    setTimeout(function () { focusScan(true); }, 0);
  });

  function lostConnection(evt) {
    var form = scanForm(evt.detail.elt);
    if (!form) return;
    form.removeAttribute("aria-busy");
    if (pending && pending.form === form && !pending.retried) {
      // Send the same scan again, with the same id: applied once however it went.
      pending.retried = true;
      var input = form.querySelector("[data-scan-input]");
      if (input) input.value = pending.code;
      setTimeout(function () { htmx.trigger(form, "submit"); }, 400);
      return;
    }
    showSentence(form, "No connection: the scan may not have been saved. Scan it again.");
    if (pending) pending.retried = false; // a manual rescan reuses the id
    focusScan(true);
  }

  document.addEventListener("htmx:sendError", lostConnection);
  document.addEventListener("htmx:timeout", lostConnection);

  document.addEventListener("htmx:afterSettle", function () { focusScan(false); });
  document.addEventListener("DOMContentLoaded", function () { focusScan(true); });
  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) focusScan(false);
  });
  document.addEventListener("click", function (evt) {
    if (!isOtherField(evt.target) && !(evt.target.closest && evt.target.closest("a"))) {
      setTimeout(function () { focusScan(false); }, 0);
    }
  });
})();
