/* Floor screens: one always-focused scan field, an answer for every scan.
 *
 * - Every scan the scanner types is sent, in the order typed, one at a time.
 *   Only a repeat inside one keystroke burst is dropped: the empty Enter of a
 *   CR+LF, or the same code again within BURST_MS (a double read).
 * - Scans typed while the server has not answered wait in a visible queue
 *   ("2 scans waiting for the server"). After WAITING_MS without an answer
 *   the screen says it is waiting, instead of showing the last answer.
 * - Each action scan carries a scan id made here. A scan with no answer (no
 *   connection, a frozen or restarting server, a proxy's error page) is sent
 *   again with the same id, so the server applies it once; the queue follows
 *   in order once it is answered. A scan that still cannot be sent after
 *   GIVE_UP_MS is named on the screen, with the ones behind it, to scan again.
 * - A screen's answer replaces the target. An answer that opens another
 *   screen (HX-Redirect) puts it in place of this one: keys typed meanwhile
 *   stay in the field, and waiting scans go to the new screen's field.
 * - An ended session asks for the badge on the same screen, then sends the
 *   scan that was refused, and the rest. A badge that needs its password (a
 *   supervisor's) goes to the login page for it and comes back with them.
 * - Success and error each have a sound (Web Audio, no files) and a vibration.
 * - An answer can offer a value for the field (a quantity): shown selected.
 * - Enter to answer painted is kept as a performance measure ("scan-answer").
 */
(function () {
  "use strict";

  var BURST_MS = 50;
  var WAITING_MS = 2000;
  var REQUEST_TIMEOUT_MS = 10000;
  var GIVE_UP_MS = 120000;
  var CARRIED_KEY = "wms.floor.queue";

  var queue = [];       // scans typed, not yet answered: {code, scanId, form, enterAt, firstSentAt}
  var inFlight = null;  // the scan sent and not yet answered (queue[0] while sending)
  var lastEnter = { code: null, at: -Infinity };
  var waitingTimer = null;
  var waiting = false;
  var loginNeeded = false;
  var signingIn = false;
  var opening = false;  // another screen is loading: scans wait for its field
  var missed = [];      // errors answered to scans that had others queued behind them
  var abandoned = {};   // code -> scan id of a scan given up on: a rescan reuses the id
  var audio = null;

  // ------------------------------------------------------------------ field

  function scanInput() {
    return document.querySelector("[data-scan-input]");
  }

  function mainForm() {
    var input = document.querySelector("[data-scan-form] [data-scan-input]");
    return input ? input.form : null;
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
      if (!queue.length) prefill(el);
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

  // ------------------------------------------------------------------ sound

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

  // ------------------------------------------------------------------ screen

  function targetOf(form) {
    var selector = (form && form.getAttribute("data-target")) || "#answer";
    return document.querySelector(selector);
  }

  function box(kind, sentence, attrs) {
    var div = document.createElement("div");
    div.className = "answer answer-" + kind;
    div.setAttribute("data-tone", kind === "error" ? "error" : "ok");
    if (kind === "error") div.setAttribute("role", "alert");
    Object.keys(attrs || {}).forEach(function (k) { div.setAttribute(k, attrs[k]); });
    var p = document.createElement("p");
    p.className = "answer-text";
    p.textContent = sentence;
    div.appendChild(p);
    return div;
  }

  function show(node) {
    var target = targetOf(mainForm());
    if (!target) return;
    target.innerHTML = "";
    target.appendChild(node);
  }

  // The sentences this script says, in the reader's language: the page holds
  // them (#floor-words, drawn from the catalog), read again on each screen.
  function say(key, params) {
    var words = {};
    try {
      words = JSON.parse(document.getElementById("floor-words").textContent);
    } catch (e) { /* no words on this page: the key is said */ }
    var sentence = words[key] || key;
    params = params || {};
    if (typeof sentence === "object") {
      var form = "other";
      try {
        form = new Intl.PluralRules(words.lang || "en").select(params.num || 0);
      } catch (e) { /* no plural rules here */ }
      sentence = sentence[form] || sentence.other;
    }
    return sentence.replace(/%\((\w+)\)s/g, function (all, name) {
      return name in params ? String(params[name]) : all;
    });
  }

  function unanswered() {
    return queue.slice();
  }

  // The line under the field: how many scans wait for the server, and which.
  function showQueue() {
    var line = document.querySelector("[data-scan-queue]");
    var left = unanswered();
    var shown = left.length >= 2 || (left.length && (waiting || loginNeeded));
    document.body.toggleAttribute("data-scans-waiting", left.length > 0);
    if (!line) return;
    line.hidden = !shown;
    line.textContent = shown
      ? say("queue", { num: left.length, codes: left.map(function (s) { return s.code; }).join(", ") })
      : "";
    line.setAttribute("data-count", String(left.length));
  }

  function showWaiting() {
    waiting = true;
    document.body.setAttribute("data-waiting", "");
    var left = unanswered();
    show(box("wait", say("waiting", { num: left.length }), { "data-waiting-answer": "" }));
    showQueue();
  }

  function stopWaiting() {
    waiting = false;
    document.body.removeAttribute("data-waiting");
    clearTimeout(waitingTimer);
  }

  // ------------------------------------------------------------------ queue

  function enqueue(form, code, enterAt) {
    var scanId = abandoned[code] || newScanId();
    delete abandoned[code];
    queue.push({ code: code, scanId: scanId, form: form, enterAt: enterAt, firstSentAt: null });
    showQueue();
    pump();
  }

  function pump() {
    if (inFlight || loginNeeded || opening || !queue.length) return;
    send(queue[0], 0);
  }

  function formFor(item) {
    if (item.form && document.body.contains(item.form)) return item.form;
    return mainForm();
  }

  function csrfToken() {
    try {
      var headers = JSON.parse(document.body.getAttribute("hx-headers") || "{}");
      if (headers["X-CSRFToken"]) return headers["X-CSRFToken"];
    } catch (e) { /* no headers */ }
    var input = document.querySelector("input[name=csrf_token]");
    return input ? input.value : "";
  }

  function send(item, attempt) {
    var form = formFor(item);
    if (!form) return;
    inFlight = item;
    item.firstSentAt = item.firstSentAt || Date.now();
    form.setAttribute("aria-busy", "true");
    var method = (form.getAttribute("method") || "get").toUpperCase();
    var input = form.querySelector("[data-scan-input]");
    var data = new URLSearchParams();
    Array.prototype.forEach.call(form.querySelectorAll("input[type=hidden][name]"), function (el) {
      data.set(el.name, el.value);
    });
    data.set(input ? input.name : "code", item.code);
    if (method === "POST") data.set("scan_id", item.scanId);
    var url = form.getAttribute("action");
    var init = {
      method: method,
      credentials: "same-origin",
      headers: {
        "HX-Request": "true",
        "X-Floor-Scan": "1",
        "HX-Current-URL": window.location.href,
        "X-CSRFToken": csrfToken()
      }
    };
    if (method === "POST") {
      init.body = data;
    } else {
      url += (url.indexOf("?") === -1 ? "?" : "&") + data.toString();
    }
    var controller = window.AbortController ? new AbortController() : null;
    if (controller) init.signal = controller.signal;
    var timeout = setTimeout(function () { if (controller) controller.abort(); }, REQUEST_TIMEOUT_MS);
    clearTimeout(waitingTimer);
    waitingTimer = setTimeout(showWaiting, Math.max(0, WAITING_MS - (Date.now() - item.firstSentAt)));

    fetch(url, init).then(function (response) {
      return response.text().then(function (body) { return [response, body]; });
    }).then(function (pair) {
      clearTimeout(timeout);
      answered(item, form, pair[0], pair[1], attempt);
    }, function () {
      clearTimeout(timeout);
      noAnswer(item, form, attempt);
    });
  }

  function isOurAnswer(body) {
    return body.indexOf("answer") !== -1 || body.indexOf("data-step") !== -1;
  }

  function answered(item, form, response, body, attempt) {
    var status = response.status;
    if (status === 401) {
      form.removeAttribute("aria-busy");
      inFlight = null;
      stopWaiting();
      askForBadge(say("session_ended", { num: queue.length }));
      return;
    }
    if (status >= 500 && !isOurAnswer(body)) {
      noAnswer(item, form, attempt); // a proxy's page: the app never saw it
      return;
    }
    form.removeAttribute("aria-busy");
    inFlight = null;
    queue.shift();
    stopWaiting();
    var redirect = response.headers.get("HX-Redirect");
    if (redirect) {
      openScreen(redirect);
      return;
    }
    var bad = status >= 400 || response.headers.get("X-Scan-Tone") === "error";
    if (status >= 400 && !isOurAnswer(body)) {
      var div = box("error", say("refused", { status: status }));
      body = div.outerHTML;
    }
    var target = targetOf(form);
    if (target && status !== 204) {
      window.htmx.swap(target, body, { swapStyle: "innerHTML", swapDelay: 0, settleDelay: 0 });
    }
    if (bad && queue.length) missed.push({ code: item.code, text: sentenceOf(target) });
    if (!queue.length && missed.length) showMissed(target);
    tone(bad ? "error" : "ok");
    measure(item);
    showQueue();
    if (queue.length) {
      pump();
    } else {
      performance.mark("scan-queue-drained");
      setTimeout(function () { focusScan(true); }, 0);
    }
  }

  function sentenceOf(target) {
    var error = target && target.querySelector(".answer-error .answer-text, .answer-error");
    return error ? error.textContent.trim() : "";
  }

  // Errors answered while later scans were waiting would be hidden by the
  // later answers: they stay listed above the last answer.
  function showMissed(target) {
    if (!target) { missed = []; return; }
    var list = document.createElement("div");
    list.className = "answer answer-error scan-missed";
    list.setAttribute("data-scan-missed", "");
    list.setAttribute("role", "alert");
    missed.forEach(function (m) {
      var p = document.createElement("p");
      p.className = "answer-text";
      p.textContent = m.code + ": " + m.text;
      list.appendChild(p);
    });
    target.insertBefore(list, target.firstChild);
    missed = [];
  }

  function measure(item) {
    requestAnimationFrame(function () {
      setTimeout(function () {
        try {
          performance.measure("scan-answer", { start: item.enterAt, end: performance.now(), detail: item.code });
        } catch (e) { /* no user timing here */ }
      }, 0);
    });
  }

  function noAnswer(item, form, attempt) {
    form.removeAttribute("aria-busy");
    inFlight = null;
    if (Date.now() - item.firstSentAt >= GIVE_UP_MS) {
      giveUp();
      return;
    }
    if (!waiting && Date.now() - item.firstSentAt >= WAITING_MS) showWaiting();
    var delay = Math.min(5000, 250 * Math.pow(2, attempt));
    setTimeout(function () {
      if (!inFlight && queue[0] === item && !loginNeeded) send(item, attempt + 1);
    }, delay);
  }

  function giveUp() {
    stopWaiting();
    var codes = queue.map(function (s) { return s.code; });
    if (queue.length) abandoned[queue[0].code] = queue[0].scanId;
    queue = [];
    show(box("error", say("not_sent", { num: codes.length, codes: codes.join(", ") }),
      { "data-not-sent": "" }));
    tone("error");
    showQueue();
    focusScan(true);
  }

  // ------------------------------------------------------------------ screens

  // An answer that opens another screen: the page is fetched and put in place
  // of this one, so a scanner typing meanwhile types into this field (carried
  // over) and its scans wait for the new screen's field; a full page load
  // would lose the keys typed while no page is there. Signing out, and
  // anything that is not a page, load in full.
  function openScreen(url) {
    opening = true;
    var target = new URL(url, window.location.href);
    if (target.pathname === new URL(loginUrl(), window.location.href).pathname) {
      queue = [];
      window.location.assign(url);
      return;
    }
    fetch(url, { credentials: "same-origin" }).then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      if (!response.ok || type.indexOf("text/html") === -1) throw new Error("not a screen");
      return response.text().then(function (html) { return [response.url, html]; });
    }).then(function (page) {
      putScreen(page[0], page[1]);
    }).catch(function () {
      carry(queue);
      queue = [];
      window.location.assign(url);
    });
  }

  function putScreen(url, html) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    var typed = scanInput() ? scanInput().value : "";
    document.title = doc.title;
    Array.prototype.forEach.call(document.body.attributes, function (a) {
      if (!a.name.startsWith("data-")) document.body.removeAttribute(a.name);
    });
    Array.prototype.forEach.call(doc.body.attributes, function (a) {
      document.body.setAttribute(a.name, a.value);
    });
    document.body.innerHTML = doc.body.innerHTML;
    window.history.pushState({ floor: true }, "", url);
    window.scrollTo(0, 0);
    window.htmx.process(document.body);
    opening = false;
    var input = scanInput();
    if (input) {
      input.value = typed;
      input.focus({ preventScroll: true });
    }
    showQueue();
    if (queue.length) pump(); else focusScan(true);
  }

  // Back and forward between screens opened in place: load them for real.
  window.addEventListener("popstate", function () { window.location.reload(); });

  // Scans left when an answer opens another screen in full go on to its field.
  function carry(items) {
    try {
      if (items.length) {
        sessionStorage.setItem(CARRIED_KEY, JSON.stringify(items.map(function (s) {
          return { code: s.code, scanId: s.scanId, enterAt: null };
        })));
      } else {
        sessionStorage.removeItem(CARRIED_KEY);
      }
    } catch (e) { /* private mode: nothing carried */ }
  }

  function takeCarried() {
    var items = [];
    // The login page asking a badge's password keeps them for the screen it goes back to.
    if (!mainForm() && document.getElementById("badge-password")) return;
    try {
      items = JSON.parse(sessionStorage.getItem(CARRIED_KEY) || "[]");
      sessionStorage.removeItem(CARRIED_KEY);
    } catch (e) { items = []; }
    if (!items.length) return;
    if (!mainForm()) return; // no scan field here (the login page): nothing is sent as anyone
    items.forEach(function (s) {
      queue.push({ code: s.code, scanId: s.scanId, form: null, enterAt: performance.now(), firstSentAt: null });
    });
    showQueue();
    pump();
  }

  // ------------------------------------------------------------------ session

  function askForBadge(sentence) {
    loginNeeded = true;
    document.body.setAttribute("data-login-needed", "");
    show(box("error", sentence, { "data-badge-prompt": "" }));
    tone("error");
    showQueue();
    focusScan(true);
  }

  function loginUrl() {
    var main = document.querySelector("[data-login-url]");
    return main ? main.getAttribute("data-login-url") : "/login";
  }

  function tokenIn(html) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    var input = doc.querySelector("input[name=csrf_token]");
    if (input) return input.value;
    try {
      return JSON.parse(doc.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (e) { return ""; }
  }

  function errorIn(html) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    var error = doc.querySelector(".answer-error");
    return error ? error.textContent.trim() : say("badge_refused");
  }

  // The badge is sent as the login page sends it; the new session's token
  // then replaces the old one on this page.
  function signIn(badge) {
    signingIn = true;
    var url = loginUrl();
    var token = "";
    show(box("info", say("signing_in"), { "data-badge-prompt": "" }));
    fetch(url, { credentials: "same-origin" }).then(function (r) { return r.text(); })
      .then(function (page) {
        var data = new URLSearchParams();
        token = tokenIn(page);
        data.set("csrf_token", token);
        data.set("badge", badge);
        return fetch(url, { method: "POST", body: data, credentials: "same-origin" });
      })
      .then(function (r) { return r.text().then(function (body) { return [r, body]; }); })
      .then(function (pair) {
        signingIn = false;
        var response = pair[0];
        var url = new URL(response.url, window.location.href);
        if (response.ok && url.pathname !== new URL(loginUrl(), window.location.href).pathname) {
          signedIn(tokenIn(pair[1]));
        } else if (pair[1].indexOf('id="badge-password"') !== -1) {
          passwordOnLoginPage(badge, token);
        } else {
          askForBadge(say("scan_badge_after", { error: errorIn(pair[1]) }));
        }
      }, function () {
        signingIn = false;
        askForBadge(say("badge_no_answer"));
      });
  }

  // A badge that needs its password (a supervisor's): the login page asks for it,
  // then comes back to this screen, which sends the scans carried over.
  function passwordOnLoginPage(badge, token) {
    carry(queue);
    queue = [];
    var form = document.createElement("form");
    form.method = "post";
    form.action = loginUrl() + "?next=" +
      encodeURIComponent(window.location.pathname + window.location.search);
    [["csrf_token", token], ["badge", badge]].forEach(function (pair) {
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = pair[0];
      input.value = pair[1];
      form.appendChild(input);
    });
    document.body.appendChild(form);
    form.submit();
  }

  function signedIn(token) {
    if (token) {
      try {
        var headers = JSON.parse(document.body.getAttribute("hx-headers") || "{}");
        headers["X-CSRFToken"] = token;
        document.body.setAttribute("hx-headers", JSON.stringify(headers));
      } catch (e) { /* keep the page's */ }
      Array.prototype.forEach.call(document.querySelectorAll("input[name=csrf_token]"), function (el) {
        el.value = token;
      });
    }
    loginNeeded = false;
    document.body.removeAttribute("data-login-needed");
    show(box("ok", say("signed_in", { num: queue.length }), { "data-signed-in": "" }));
    showQueue();
    pump();
  }

  // ------------------------------------------------------------------ keys

  document.addEventListener("submit", function (evt) {
    var form = evt.target.closest && evt.target.closest("[data-scan-form]");
    if (!form) return;
    evt.preventDefault();
    evt.stopPropagation();
    var input = form.querySelector("[data-scan-input]");
    var code;
    if (input) {
      code = input.value.trim();
      input.value = "";
      input.removeAttribute("data-prefilled");
    } else {
      var hidden = form.querySelector("input[name=code]");
      code = hidden ? hidden.value.trim() : "";
    }
    var at = evt.timeStamp || performance.now();
    if (!code) return; // the LF of a CR+LF, or Enter on an empty field
    if (code === lastEnter.code && at - lastEnter.at < BURST_MS) return; // a double read
    lastEnter = { code: code, at: at };
    if (loginNeeded && !signingIn) {
      signIn(code);
      return;
    }
    enqueue(input ? null : form, code, at);
  }, true);

  // Buttons that htmx sends itself (a rate to buy, a reason): an error page that
  // is not one of our answers (a proxy's, say) is said plainly.
  document.addEventListener("htmx:beforeSwap", function (evt) {
    var status = evt.detail.xhr.status;
    var body = evt.detail.serverResponse || "";
    if (status >= 400 && !isOurAnswer(body)) {
      evt.detail.serverResponse = box("error", status >= 500
        ? say("no_answer_button")
        : say("refused_button", { status: status })).outerHTML;
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    focusScan(true);
    takeCarried();
  });
  document.addEventListener("htmx:afterSettle", function () { focusScan(false); });
  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) focusScan(false);
  });
  document.addEventListener("click", function (evt) {
    if (!isOtherField(evt.target) && !(evt.target.closest && evt.target.closest("a"))) {
      setTimeout(function () { focusScan(false); }, 0);
    }
  });
})();
