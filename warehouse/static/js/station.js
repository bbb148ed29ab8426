/* The scan station. A handheld scanner types a code or a label address and Enter into the one
   input; each scan goes to POST /api/v1/scans and the answer shows at once, large: green when
   the box went out, came back or was found, red with the reason otherwise.

   Scanned text is user input: it is only ever shown through textContent. The words shown come
   translated from the page (#station-words); the ones written here are fallbacks only. */
(function () {
  "use strict";

  var root = document.getElementById("station");
  if (!root) {
    return;
  }

  function byId(id) {
    return document.getElementById(id);
  }

  var input = byId("scan-input");
  var scanForm = byId("scan-form");
  var picker = byId("station-deployment");
  var quick = byId("quick-check-in");
  var feedback = byId("feedback");
  var usageForm = byId("usage-form");
  var usageRow = byId("usage-row");
  var overrideForm = byId("override-form");
  var undoButton = byId("undo-button");
  var scanList = byId("scan-list");
  var emptyNote = byId("scan-list-empty");
  var deploymentLink = byId("deployment-link");
  var csrfMeta = document.querySelector("meta[name=csrf-token]");
  var csrfToken = csrfMeta ? csrfMeta.getAttribute("content") : "";
  var scanUrl = root.getAttribute("data-scan-url");
  var undoUrl = root.getAttribute("data-undo-url");
  var deploymentUrl = root.getAttribute("data-deployment-url");
  var locale = root.getAttribute("data-locale") || "zh";
  var canOverride = root.getAttribute("data-can-override") === "true";
  var MODES = ["check_out", "check_in", "lookup"];
  var KEYS = {F1: "check_out", F2: "check_in", F3: "lookup"};
  var LIST_MAX = 200; // a whole shift of scans; the scan log keeps them all

  var words = {};
  Array.prototype.forEach.call(document.querySelectorAll("#station-words [data-word]"), function (el) {
    words[el.getAttribute("data-word")] = el.textContent.trim();
  });

  function word(key, fallback) {
    return words[key] || fallback;
  }

  var state = {
    mode: MODES.indexOf(root.getAttribute("data-mode")) >= 0 ? root.getAttribute("data-mode") : "check_out",
    form: null, // the open usage or override form: the scan input leaves the focus to it
    camera: null,
    inFlight: 0,
    failed: null, // {fingerprint, key} of a request the network lost, to retry with the same key
    undoable: null // the scan id of the last check-out or check-in, while it may be undone
  };
  var queue = Promise.resolve();

  // --- focus: the input is where the scanner types, so it gets the focus back after everything

  function focusInput() {
    if (state.form || state.camera || document.activeElement === input) {
      return;
    }
    input.focus();
  }

  window.addEventListener("focus", focusInput);
  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) {
      focusInput();
    }
  });
  document.addEventListener("click", function (event) {
    if (!event.target.closest("input, select, textarea, button, a, label, summary, video, form")) {
      focusInput();
    }
  });

  // --- modes and the deployment picker, kept in the address so a reload keeps them

  function remember() {
    if (!window.history || !window.history.replaceState) {
      return;
    }
    var params = new URLSearchParams(window.location.search);
    params.set("mode", state.mode);
    if (picker && picker.value) {
      params.set("deployment", picker.value);
    } else {
      params.delete("deployment");
    }
    window.history.replaceState(null, "", window.location.pathname + "?" + params.toString());
  }

  function setMode(mode) {
    state.mode = mode;
    root.setAttribute("data-mode", mode);
    Array.prototype.forEach.call(root.querySelectorAll(".mode-button"), function (button) {
      button.setAttribute("aria-pressed", button.getAttribute("data-mode") === mode ? "true" : "false");
    });
    remember();
    focusInput();
  }

  Array.prototype.forEach.call(root.querySelectorAll(".mode-button"), function (button) {
    button.addEventListener("click", function () {
      setMode(button.getAttribute("data-mode"));
    });
  });

  if (picker) {
    picker.addEventListener("change", function () {
      if (deploymentLink && deploymentUrl) {
        deploymentLink.hidden = !picker.value;
        deploymentLink.setAttribute("href", picker.value ? deploymentUrl.replace("{id}", picker.value) : "#");
      }
      remember();
      focusInput();
    });
  }

  // Ticking the quick check-in box must not leave the focus on it: the next scan would be lost.
  quick.addEventListener("change", focusInput);

  function deploymentId() {
    return picker && picker.value ? Number(picker.value) : null;
  }

  // --- talking to the API

  function newKey() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") {
      return window.crypto.randomUUID();
    }
    // randomUUID needs https; a depot PC on plain http still has getRandomValues.
    var bytes = window.crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) {
      return (b + 0x100).toString(16).slice(1);
    }).join("");
    return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" +
      hex.slice(16, 20) + "-" + hex.slice(20);
  }

  function NetworkFailure() {
    this.name = "NetworkFailure";
  }

  // POST JSON; a scan carries an idempotency key, the same one again when the network lost the
  // previous try of the very same request, so the server answers it once.
  function post(url, body, idempotent) {
    var payload = body;
    var fingerprint = url + " " + JSON.stringify(body);
    var key = null;
    if (idempotent) {
      key = state.failed && state.failed.fingerprint === fingerprint ? state.failed.key : newKey();
      payload = Object.assign({}, body, {idempotency_key: key});
    }
    state.inFlight += 1;
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: {"Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrfToken},
      body: JSON.stringify(payload)
    }).then(function (response) {
      return response.json().catch(function () {
        return null;
      }).then(function (data) {
        state.failed = null;
        return {ok: response.ok, status: response.status, data: data};
      });
    }, function () {
      state.failed = {fingerprint: fingerprint, key: key};
      throw new NetworkFailure();
    }).finally(function () {
      state.inFlight -= 1;
    });
  }

  // The answer of a scan: the API sends the scan itself on success, {error, scan} on refusal,
  // and only {error} when the request never became a scan (signed out, bad CSRF token...).
  function answerOf(result) {
    var data = result.data || {};
    if (result.ok && data.result) {
      return {ok: true, scan: data, error: null};
    }
    if (data.scan) {
      return {ok: false, scan: data.scan, error: data.error || {}};
    }
    if (result.status === 401) {
      return {ok: false, scan: null, error: {message: word("signed_out", "Signed out: reload the page and sign in."),
                                              fields: {}}};
    }
    var message = data.error && data.error.message ? data.error.message :
      word("server", "The server answered with an error ({status}).").replace("{status}", result.status);
    return {ok: false, scan: null, error: {message: message, fields: (data.error && data.error.fields) || {}}};
  }

  // --- showing answers

  function part(container, name) {
    return container.querySelector("[data-part=" + name + "]");
  }

  function named(thing) {
    if (!thing) {
      return "";
    }
    var name = locale === "en" ? (thing.name_en || thing.name_zh) : (thing.name_zh || thing.name_en);
    return [thing.code, name].filter(Boolean).join(" ");
  }

  function setFact(name, text) {
    var dd = part(feedback, name);
    var dt = feedback.querySelector("[data-for=" + name + "]");
    dd.textContent = text || "";
    dd.hidden = !text;
    dt.hidden = !text;
  }

  function usageText(usage) {
    if (!usage) {
      return "";
    }
    var parts = ["consumed", "damaged", "lost"].filter(function (name) {
      return usage[name];
    }).map(function (name) {
      return word(name, name) + " " + usage[name];
    });
    return parts.length ? parts.join(" · ") : word("nothing", "nothing");
  }

  function needsConfirmer(answer) {
    return !answer.ok && answer.error && answer.error.fields && !!answer.error.fields.override_reason;
  }

  function showPanel(kind, headline, code, message) {
    feedback.hidden = false;
    feedback.className = "feedback feedback-" + kind;
    feedback.setAttribute("data-state", kind);
    part(feedback, "result").textContent = headline || "";
    part(feedback, "code").textContent = code || "";
    part(feedback, "message").textContent = message || "";
    ["module", "template", "status", "deployment", "usage"].forEach(function (name) {
      setFact(name, "");
    });
    part(feedback, "shortfalls").hidden = true;
    part(feedback, "ask").hidden = true;
  }

  function showPending(code) {
    showPanel("pending", word("sending", "Sending…"), code, "");
  }

  function showNote(message, code) {
    showPanel("pending", "", code, message);
  }

  function showAnswer(answer, sent) {
    var scan = answer.scan || {};
    var kit = scan.kit || null;
    var result = scan.result || "invalid";
    var message = scan.display_message || (answer.error && answer.error.message) || scan.message || "";
    showPanel(answer.ok ? "ok" : "bad", word("result." + result, result), (kit && kit.code) || scan.code || sent,
              message);
    feedback.setAttribute("data-result", result);
    if (kit) {
      setFact("module", named(kit.module));
      setFact("template", named(kit.template));
      setFact("status", word("status." + kit.status, kit.status));
      var holder = kit.deployment || scan.deployment;
      setFact("deployment", holder ? holder.code + " " + holder.name : "");
      var list = part(feedback, "shortfalls").querySelector("ul");
      list.replaceChildren();
      (kit.shortfalls || []).forEach(function (line) {
        var li = document.createElement("li");
        li.textContent = line.sku + " " + named({name_zh: line.name_zh, name_en: line.name_en}) + " −" + line.missing;
        list.appendChild(li);
      });
      part(feedback, "shortfalls").hidden = !(kit.shortfalls && kit.shortfalls.length);
    } else if (scan.deployment) {
      setFact("deployment", scan.deployment.code + " " + scan.deployment.name);
    }
    if (scan.usage) {
      setFact("usage", usageText(scan.usage));
    }
    part(feedback, "ask").hidden = !(needsConfirmer(answer) && !canOverride);
  }

  function record(answer, sent) {
    var scan = answer.scan || {};
    var li = document.createElement("li");
    li.className = answer.ok ? "scan-ok" : "scan-bad";
    li.setAttribute("data-result", scan.result || "invalid");
    var time = document.createElement("time");
    var now = new Date();
    time.setAttribute("datetime", now.toISOString());
    time.textContent = now.toLocaleTimeString(locale === "en" ? "en-GB" : "zh-CN", {hour12: false});
    var result = document.createElement("strong");
    result.textContent = word("result." + (scan.result || "invalid"), scan.result || "");
    var code = document.createElement("span");
    code.className = "sku";
    code.textContent = (scan.kit && scan.kit.code) || scan.code || sent;
    var message = document.createElement("span");
    message.className = "muted";
    message.textContent = scan.display_message || (answer.error && answer.error.message) || "";
    li.append(time, " ", result, " ", code, " ", message);
    scanList.insertBefore(li, scanList.firstChild);
    while (scanList.children.length > LIST_MAX) {
      scanList.removeChild(scanList.lastChild);
    }
    emptyNote.hidden = true;
  }

  function setUndoable(scanId) {
    state.undoable = scanId;
    undoButton.disabled = !scanId;
  }

  // Send a scan and show its answer. Resolves to the answer, or null when the network failed
  // (the code goes back into the input: Enter retries with the same idempotency key).
  function send(body, options) {
    options = options || {};
    showPending(body.code);
    return post(scanUrl, body, true).then(function (result) {
      var answer = answerOf(result);
      if (!(options.quiet && answer.ok)) {
        showAnswer(answer, body.code);
        record(answer, body.code);
      }
      if (answer.ok && (answer.scan.result === "checked_out" || answer.scan.result === "checked_in")) {
        setUndoable(answer.scan.scan_id);
      }
      return answer;
    }, function (error) {
      if (!(error instanceof NetworkFailure)) {
        throw error;
      }
      showPanel("bad", word("result.invalid", "Not sent"), body.code,
                word("network", "Not sent: the network failed. Press Enter to try again."));
      feedback.setAttribute("data-result", "network");
      if (!options.keepInput && !input.value) {
        input.value = body.code;
      }
      return null;
    });
  }

  // --- forms that take the focus from the scan input for a moment

  function openForm(formElement, first) {
    state.form = formElement;
    formElement.hidden = false;
    if (first) {
      first.focus();
      if (typeof first.select === "function") {
        first.select();
      }
    }
  }

  function closeForm() {
    if (state.form) {
      state.form.hidden = true;
      state.form = null;
    }
    focusInput();
  }

  // A box that is not ready: a supply officer, commander or admin may send it out with a reason.
  function confirmOverride(body) {
    return new Promise(function (resolve) {
      var reason = overrideForm.querySelector("input[name=override_reason]");
      reason.value = "";
      reason.removeAttribute("aria-invalid");
      openForm(overrideForm, reason);
      function finish() {
        overrideForm.removeEventListener("submit", submit);
        overrideForm.onCancel = null;
        closeForm();
        resolve();
      }
      function submit(event) {
        event.preventDefault();
        var text = reason.value.trim();
        if (!text) {
          reason.setAttribute("aria-invalid", "true");
          reason.setCustomValidity(word("reason_required", "Say why the box goes out."));
          reason.reportValidity();
          return;
        }
        reason.setCustomValidity("");
        send(Object.assign({}, body, {override_reason: text}), {keepInput: true}).then(function (answer) {
          if (answer !== null) {
            finish();
          }
        });
      }
      overrideForm.addEventListener("submit", submit);
      overrideForm.onCancel = finish;
    });
  }

  function usageLines() {
    var lines = [];
    var problem = null;
    Array.prototype.forEach.call(usageForm.querySelectorAll("tbody tr"), function (row) {
      var held = Number(row.getAttribute("data-quantity"));
      var line = {item_id: Number(row.getAttribute("data-item")), lot: row.getAttribute("data-lot") || null};
      var total = 0;
      ["consumed", "damaged", "lost"].forEach(function (name) {
        var field = row.querySelector("input[name=" + name + "]");
        var text = field.value.trim();
        var value = text === "" ? 0 : Number(text);
        // badInput: a scanner fired a label into this field; never read that as 0 and check in.
        var bad = (field.validity && field.validity.badInput) || !Number.isInteger(value) || value < 0;
        field.setAttribute("aria-invalid", bad ? "true" : "false");
        if (bad && !problem) {
          problem = {field: field, message: word("whole_number", "Enter whole numbers, 0 or more.")};
        }
        line[name] = bad ? 0 : value;
        total += line[name];
      });
      if (total > held && !problem) {
        var first = row.querySelector("input[name=consumed]");
        first.setAttribute("aria-invalid", "true");
        problem = {field: first, message: word("too_many", "Consumed, damaged and lost add up to more than went out.")};
      }
      if (total > 0) {
        lines.push(line);
      }
    });
    return {lines: lines, problem: problem};
  }

  function fillUsage(kit) {
    part(usageForm, "code").textContent = kit.code;
    part(usageForm, "error").textContent = "";
    var body = usageForm.querySelector("tbody");
    body.replaceChildren();
    kit.contents.forEach(function (line) {
      var row = usageRow.content.firstElementChild.cloneNode(true);
      row.setAttribute("data-item", String(line.item_id));
      row.setAttribute("data-lot", line.lot || "");
      row.setAttribute("data-sku", line.sku);
      row.setAttribute("data-quantity", String(line.quantity));
      part(row, "sku").textContent = line.sku;
      part(row, "name").textContent = locale === "en" ? (line.name_en || line.name_zh) : (line.name_zh || line.name_en);
      row.querySelector("[data-col=lot]").textContent = line.lot || "—";
      row.querySelector("[data-col=quantity]").textContent = String(line.quantity);
      Array.prototype.forEach.call(row.querySelectorAll("input"), function (field) {
        field.setAttribute("max", String(line.quantity));
      });
      body.appendChild(row);
    });
  }

  // Ask what was consumed, damaged and lost, then check the box in with it.
  function askUsage(kit) {
    return new Promise(function (resolve) {
      fillUsage(kit);
      openForm(usageForm, usageForm.querySelector("tbody input"));
      function finish() {
        usageForm.removeEventListener("submit", submit);
        usageForm.onCancel = null;
        closeForm();
        resolve();
      }
      function submit(event) {
        event.preventDefault();
        var found = usageLines();
        var error = part(usageForm, "error");
        if (found.problem) {
          error.textContent = found.problem.message;
          found.problem.field.focus();
          return;
        }
        error.textContent = "";
        send({code: kit.code, action: "check_in", usage: found.lines}, {keepInput: true}).then(function (answer) {
          if (answer === null) {
            error.textContent = word("network", "Not sent: the network failed. Press Enter to try again.");
            return;
          }
          var fields = (answer.error && answer.error.fields) || {};
          if (!answer.ok && Object.keys(fields).some(function (name) { return name.indexOf("usage") === 0; })) {
            error.textContent = answer.scan ? answer.scan.display_message : answer.error.message;
            return; // the numbers need fixing: the form stays
          }
          finish();
        });
      }
      usageForm.addEventListener("submit", submit);
      usageForm.onCancel = function () {
        finish();
        showNote(word("cancelled", "Check-in cancelled: the box is still out."), kit.code);
      };
    });
  }

  function checkInWithUsage(code) {
    return send({code: code, action: "lookup"}, {quiet: true}).then(function (answer) {
      if (answer === null || !answer.ok) {
        return null; // the refusal (unknown code, garbage...) is on the screen already
      }
      var kit = answer.scan.kit;
      if (!kit || !kit.deployment || !kit.contents || !kit.contents.length) {
        // Not a box, not out, or empty: the server gives the answer (and logs it).
        return send({code: code, action: "check_in"});
      }
      feedback.hidden = true;
      return askUsage(kit);
    });
  }

  function handleScan(code) {
    if (state.mode === "check_in" && !quick.checked) {
      return checkInWithUsage(code);
    }
    var body = {code: code, action: state.mode};
    if (state.mode === "check_out") {
      body.deployment_id = deploymentId();
    }
    return send(body).then(function (answer) {
      if (answer && needsConfirmer(answer) && canOverride && body.action === "check_out") {
        return confirmOverride(body);
      }
      return null;
    });
  }

  // Scans are handled one after the other: a fast scanner may send the next before an answer.
  function enqueue(task) {
    queue = queue.then(task).then(function () {
      focusInput();
    }, function (error) {
      showPanel("bad", "", "", String(error && error.message ? error.message : error));
      focusInput();
    });
  }

  function submitScan(code) {
    if (!code.trim()) {
      focusInput();
      return;
    }
    enqueue(function () {
      return handleScan(code);
    });
  }

  scanForm.addEventListener("submit", function (event) {
    event.preventDefault();
    var code = input.value;
    input.value = "";
    submitScan(code);
  });

  undoButton.addEventListener("click", function () {
    var scanId = state.undoable;
    if (!scanId) {
      return;
    }
    enqueue(function () {
      undoButton.disabled = true;
      showPending("");
      return post(undoUrl.replace("{id}", String(scanId)), {}, false).then(function (result) {
        var answer = answerOf(result);
        if (!answer.ok && result.data && result.data.error && !result.data.scan) {
          answer = {ok: false, error: result.data.error, scan: {
            result: "conflict", display_message: word("undo_failed", "Cannot undo:") + " " + result.data.error.message}};
        }
        showAnswer(answer, "");
        record(answer, "");
        setUndoable(answer.ok ? null : state.undoable);
      }, function () {
        showPanel("bad", "", "", word("network", "Not sent: the network failed."));
        setUndoable(scanId);
      });
    });
  });

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && state.form && typeof state.form.onCancel === "function") {
      event.preventDefault();
      state.form.onCancel();
      return;
    }
    if (KEYS[event.key] && !state.form && !event.altKey && !event.ctrlKey && !event.metaKey) {
      event.preventDefault(); // F1 would open the browser's help
      setMode(KEYS[event.key]);
    }
  });

  // --- the phone camera: BarcodeDetector where the browser has one, else the vendored jsQR

  var cameraPanel = byId("camera");
  var cameraVideo = byId("camera-video");
  var cameraStatus = byId("camera-status");
  var cameraUnavailable = byId("camera-unavailable");

  function loadScript(src) {
    return new Promise(function (resolve) {
      if (window.jsQR) {
        resolve();
        return;
      }
      var script = document.createElement("script");
      script.src = src;
      script.onload = resolve;
      script.onerror = resolve;
      document.head.appendChild(script);
    });
  }

  function makeDetector() {
    var native = "BarcodeDetector" in window ?
      window.BarcodeDetector.getSupportedFormats().catch(function () { return []; }) : Promise.resolve([]);
    return native.then(function (formats) {
      if (formats.indexOf("qr_code") >= 0) {
        var detector = new window.BarcodeDetector({formats: ["qr_code"]});
        return function (video) {
          return detector.detect(video).then(function (codes) {
            return codes.length ? codes[0].rawValue : null;
          });
        };
      }
      return loadScript(root.getAttribute("data-jsqr-url")).then(function () {
        var decode = window.jsQR && (typeof window.jsQR === "function" ? window.jsQR : window.jsQR.default);
        if (typeof decode !== "function") {
          return null;
        }
        var canvas = document.createElement("canvas");
        var context = canvas.getContext("2d", {willReadFrequently: true});
        return function (video) {
          var width = video.videoWidth;
          var height = video.videoHeight;
          if (!width || !height) {
            return Promise.resolve(null);
          }
          // A label's QR code fills much of the picture: 640 px is plenty and keeps phones cool.
          var scale = Math.min(1, 640 / Math.max(width, height));
          canvas.width = Math.round(width * scale);
          canvas.height = Math.round(height * scale);
          context.drawImage(video, 0, 0, canvas.width, canvas.height);
          var image = context.getImageData(0, 0, canvas.width, canvas.height);
          var found = decode(image.data, image.width, image.height, {inversionAttempts: "dontInvert"});
          return Promise.resolve(found ? found.data : null);
        };
      });
    });
  }

  function stopCamera() {
    var camera = state.camera;
    state.camera = null;
    if (camera) {
      camera.stopped = true;
      camera.stream.getTracks().forEach(function (track) {
        track.stop();
      });
    }
    cameraVideo.srcObject = null;
    cameraPanel.hidden = true;
    focusInput();
  }

  function watch(camera) {
    if (camera.stopped) {
      return;
    }
    var again = function () {
      window.setTimeout(function () {
        watch(camera);
      }, 200);
    };
    if (state.form || state.inFlight) {
      again();
      return;
    }
    camera.detect(cameraVideo).then(function (text) {
      var now = Date.now();
      // The same label stays in view for a while: one scan per label per 3 seconds.
      if (text && (text !== camera.last || now - camera.lastAt > 3000)) {
        camera.last = text;
        camera.lastAt = now;
        submitScan(text);
      }
      again();
    }, again);
  }

  function cameraUnavailableNote(message) {
    if (message) {
      cameraUnavailable.textContent = message;
    }
    cameraUnavailable.hidden = false;
  }

  byId("camera-button").addEventListener("click", function () {
    if (state.camera) {
      stopCamera();
      return;
    }
    if (!window.isSecureContext || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      cameraUnavailableNote();
      return;
    }
    cameraUnavailable.hidden = true;
    cameraPanel.hidden = false;
    var intro = cameraStatus.textContent;
    cameraStatus.textContent = word("camera_starting", "Starting the camera…");
    navigator.mediaDevices.getUserMedia({video: {facingMode: "environment"}, audio: false}).then(function (stream) {
      var camera = {stream: stream, stopped: false, last: null, lastAt: 0, detect: null};
      state.camera = camera;
      cameraVideo.srcObject = stream;
      return cameraVideo.play().then(makeDetector).then(function (detect) {
        if (!detect) {
          stopCamera();
          cameraUnavailableNote(word("decoder_failed", "The QR decoder could not be loaded."));
          return;
        }
        camera.detect = detect;
        cameraStatus.textContent = intro;
        watch(camera);
      });
    }).catch(function () {
      stopCamera();
      cameraUnavailableNote(word("camera_denied", "The camera could not be opened."));
    });
  });
  byId("camera-stop").addEventListener("click", stopCamera);

  Array.prototype.forEach.call(root.querySelectorAll("form [data-action=cancel]"), function (button) {
    button.addEventListener("click", function () {
      if (state.form && typeof state.form.onCancel === "function") {
        state.form.onCancel();
      }
    });
  });

  setMode(state.mode);
}());
