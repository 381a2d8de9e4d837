// "Fill in your questionnaire" on the questionnaire page. The customer's file is read, matched
// and filled by a worker (assets/questionnaire/worker.js) in this browser; it is never sent
// anywhere. The worker, the matching rules and the public answers are fetched when the
// reader shows interest (points at or focuses the drop zone, or drags a file over the page),
// before a file is chosen: after the file is given, the page makes no request at all.
(function () {
  "use strict";

  // The site language's strings, from assets/strings.js when the site is not in English;
  // without it, the English each call gives. Keys are those of locales/*.yaml under `js.`.
  var strings = window.trustpressStrings || {};
  function t(key, english, values) {
    var text = (strings.strings && strings.strings[key]) || english;
    return text.replace(/\{(\w+)\}/g, function (match, name) {
      return values && Object.prototype.hasOwnProperty.call(values, name) ? String(typeof values[name] === "number" ? number(values[name]) : values[name]) : match;
    });
  }
  function number(value) {
    var digits = String(Math.abs(value));
    if (strings.group && digits.length > 3) digits = digits.replace(/\B(?=(\d{3})+(?!\d))/g, strings.group);
    return (value < 0 ? "-" : "") + digits;
  }
  function percent(value) {
    return (strings.percent || "{number}%").replace("{number}", number(value));
  }
  /** A worker's error in the page's language: the worker names its string and gives the English. */
  function workerMessage(message) {
    return message.key ? t(message.key, message.english, message.values) : message.message;
  }

  var zone = document.getElementById("fill-zone");
  if (!zone || !window.Worker) return;
  var input = document.getElementById("fill-file");
  var choose = document.getElementById("fill-choose");
  var status = document.getElementById("fill-status");
  var result = document.getElementById("fill-result");
  var rowsBody = document.getElementById("fill-rows");
  var summary = document.getElementById("fill-summary");
  var download = document.getElementById("fill-download");
  var again = document.getElementById("fill-again");
  var faq = zone.dataset.faq;
  /** Larger files are refused before they are read. */
  var MAX_BYTES = 50 * 1024 * 1024;
  /** A file still being read (or written) after this long is given up on, and the worker stopped. */
  var GIVE_UP_MS = 60000;
  /** The preview shows this many rows at most; every answered row is written all the same. */
  var PREVIEW_ROWS = 5000;

  var worker = null;
  var ready = null;
  var file = null;
  var timer = null;
  /** Each file given gets the next id; a reply about an earlier file is ignored. */
  var fileId = 0;

  zone.hidden = false;
  if (location.protocol === "file:") {
    // Module workers do not run from a folder opened from disk.
    say(t("fill.from_disk", "Filling in a questionnaire works on the published trust center, not from a copy opened from disk."), true);
    choose.disabled = true;
    return;
  }

  function say(text, isError) {
    status.textContent = text;
    status.classList.toggle("fill-error", !!isError);
  }

  /** Starts the worker, which fetches what it needs at once; resolves when it is ready. */
  function start() {
    if (ready) return ready;
    ready = new Promise(function (resolve, reject) {
      worker = new Worker(zone.dataset.worker, { type: "module" });
      worker.onmessage = function (event) {
        var message = event.data;
        if (message.type === "ready") {
          zone.dataset.ready = "true";
          resolve(message.answers);
        } else if (message.type === "failed") {
          reject(new Error(workerMessage(message)));
        } else {
          handle(message);
        }
      };
      worker.onerror = function () {
        reject(new Error(t("fill.cannot_start", "The questionnaire filler could not start in this browser.")));
      };
    });
    ready.catch(function (error) {
      say(error.message, true);
      ready = null;
      if (worker) worker.terminate();
      worker = null;
    });
    return ready;
  }

  ["pointerenter", "focusin", "touchstart"].forEach(function (name) {
    zone.addEventListener(name, start, { passive: true });
  });
  document.addEventListener("dragenter", start);
  choose.addEventListener("click", function () {
    start();
    input.click();
  });
  input.addEventListener("change", function () {
    if (input.files && input.files[0]) take(input.files[0]);
    input.value = "";
  });
  zone.addEventListener("dragover", function (event) {
    event.preventDefault();
    zone.classList.add("dropzone-over");
  });
  zone.addEventListener("dragleave", function () {
    zone.classList.remove("dropzone-over");
  });
  zone.addEventListener("drop", function (event) {
    event.preventDefault();
    zone.classList.remove("dropzone-over");
    var files = event.dataTransfer && event.dataTransfer.files;
    if (files && files.length) take(files[0]);
  });
  // A file dropped beside the zone is not opened by the browser (which would leave the page).
  document.addEventListener("dragover", function (event) { event.preventDefault(); });
  document.addEventListener("drop", function (event) { event.preventDefault(); });

  function take(chosen) {
    result.hidden = true;
    fileId++; // whatever was being read before is no longer wanted
    if (chosen.size === 0) return say(t("fill.empty", "“{name}” is empty.", { name: chosen.name }), true);
    if (chosen.size > MAX_BYTES) {
      var size = number(Math.round(chosen.size / 1048576));
      return say(t("fill.too_big", "“{name}” is {size} MB, more than a questionnaire (50 MB): refused.", { name: chosen.name, size: size }), true);
    }
    file = chosen;
    var id = fileId;
    say(t("fill.reading", "Reading “{name}”…", { name: chosen.name }));
    Promise.all([start(), chosen.arrayBuffer()]).then(function (done) {
      if (id !== fileId || !worker) return;
      var bytes = new Uint8Array(done[1]);
      clearTimeout(timer);
      timer = setTimeout(giveUp, GIVE_UP_MS);
      worker.postMessage({ type: "read", id: id, name: chosen.name, bytes: bytes }, [bytes.buffer]);
    }, function (error) {
      if (id === fileId) say(error.message || t("fill.unreadable", "The file could not be read."), true);
    });
  }

  function giveUp() {
    if (worker) worker.terminate();
    worker = null;
    ready = null;
    delete zone.dataset.ready;
    // A fresh worker at once, so that it has fetched what it needs before the next file.
    start();
    result.hidden = true;
    say(t("fill.too_long", "The file took too long, so it was stopped. Is it really a questionnaire? Choose the file again to retry."), true);
  }

  function handle(message) {
    if (message.id !== fileId) return; // about a file given before the current one
    clearTimeout(timer);
    if (message.type === "error") {
      say(t("fill.failed", "“{name}” could not be filled in: {reason}", { name: file.name, reason: workerMessage(message) }), true);
    } else if (message.type === "plan") {
      show(message.sheets);
    } else if (message.type === "filled") {
      save(message.bytes);
    }
  }

  function element(name, className, text) {
    var node = document.createElement(name);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function answerLink(answer) {
    var link = element("a", "id", answer.id);
    link.href = faq + "#" + answer.id.toLowerCase();
    link.title = answer.question;
    return link;
  }

  var STATES = {
    answered: t("fill.answered", "Answered"),
    "needs-person": t("fill.needs_person", "Needs a person"),
    "already-filled": t("fill.already_filled", "Already answered"),
  };

  function show(sheets) {
    rowsBody.textContent = "";
    var shown = 0;
    var rows = document.createDocumentFragment();
    var counts = { answered: 0, "needs-person": 0, "already-filled": 0 };
    var byReference = 0;
    var multiple = sheets.length > 1;
    sheets.forEach(function (sheet) {
      sheet.rows.forEach(function (row) {
        counts[row.state]++;
        if (row.state === "answered" && row.method === "reference") byReference++;
        if (++shown > PREVIEW_ROWS) return;
        var tr = element("tr", "fill-" + row.state);
        var write = element("td");
        if (row.state === "answered") {
          var box = element("input");
          box.type = "checkbox";
          box.checked = true;
          box.value = row.key;
          box.setAttribute("aria-label", t("fill.write_row", "Write the answer to row {row}", { row: number(row.row + 1) }));
          write.appendChild(box);
        } else {
          write.appendChild(element("span", "visually-hidden", t("fill.not_written", "Not written")));
        }
        tr.appendChild(write);
        tr.appendChild(element("td", "nowrap", (multiple ? sheet.sheet + " " : "") + number(row.row + 1)));
        var question = element("td");
        if (row.reference) question.appendChild(element("span", "id muted", row.reference + " "));
        question.appendChild(document.createTextNode(row.question));
        tr.appendChild(question);
        var answer = element("td");
        if (row.state === "answered") {
          if (row.response) answer.appendChild(element("strong", "", row.response + " "));
          row.answers.forEach(function (a, i) {
            if (i) answer.appendChild(document.createTextNode(" + "));
            answer.appendChild(answerLink(a));
          });
          if (row.method === "reference") answer.appendChild(element("span", "muted small", " " + t("fill.by_reference", "by reference")));
        } else if (row.state === "needs-person") {
          answer.appendChild(element("span", "pill pill-planned", STATES[row.state]));
          answer.appendChild(element("span", "muted small", row.best ? " " + t("fill.closest", "Closest:") + " " : " " + t("fill.no_close", "No close answer")));
          if (row.best) answer.appendChild(answerLink(row.best));
        } else {
          answer.appendChild(element("span", "pill", STATES[row.state]));
          answer.appendChild(element("span", "muted small", " " + t("fill.left_as_is", "Left as you wrote it")));
        }
        tr.appendChild(answer);
        tr.appendChild(element("td", "nowrap", row.state === "already-filled" ? "" : percent(Math.round(row.confidence * 100))));
        rows.appendChild(tr);
      });
    });
    if (shown > PREVIEW_ROWS) {
      var more = element("tr");
      var note = element("td", "muted", t("fill.preview_limit",
        "The preview shows the first {shown} of {total} questions; the rows not shown are written as listed in the summary.",
        { shown: number(PREVIEW_ROWS), total: number(shown) }));
      note.colSpan = 5;
      more.appendChild(note);
      rows.appendChild(more);
    }
    rowsBody.appendChild(rows);
    var total = counts.answered + counts["needs-person"] + counts["already-filled"];
    var figures = {
      total: number(total),
      answered: number(counts.answered),
      reference: number(byReference),
      person: number(counts["needs-person"]),
      filled: number(counts["already-filled"]),
    };
    summary.textContent = byReference
      ? t("fill.summary_reference", "{total} questions: {answered} answered ({reference} by reference), {person} need a person, {filled} already answered", figures)
      : t("fill.summary", "{total} questions: {answered} answered, {person} need a person, {filled} already answered", figures);
    result.hidden = false;
    download.disabled = counts.answered === 0;
    say(t("fill.read", "“{name}” is read: {summary}. Untick any answer you do not want, then download the filled file.", { name: file.name, summary: summary.textContent }));
  }

  download.addEventListener("click", function () {
    if (!worker) return;
    var unticked = Array.prototype.map.call(rowsBody.querySelectorAll("input[type=checkbox]:not(:checked)"), function (box) {
      return box.value;
    });
    say(t("fill.writing", "Writing the filled file…"));
    clearTimeout(timer);
    timer = setTimeout(giveUp, GIVE_UP_MS);
    worker.postMessage({ type: "fill", id: fileId, unticked: unticked });
  });

  again.addEventListener("click", function () {
    result.hidden = true;
    rowsBody.textContent = "";
    say("");
    choose.focus();
  });

  function filledName(name) {
    var dot = name.lastIndexOf(".");
    return dot === -1 ? name + ".filled" : name.slice(0, dot) + ".filled" + name.slice(dot);
  }

  function save(bytes) {
    var csv = /\.csv$/i.test(file.name);
    var type = csv ? "text/csv" : "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    var url = URL.createObjectURL(new Blob([bytes], { type: type }));
    var link = element("a");
    link.href = url;
    link.download = filledName(file.name);
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(function () { URL.revokeObjectURL(url); }, 10000);
    say(t("fill.downloaded", "Downloaded “{name}”. Check the rows marked “Needs a person” before you send it.", { name: link.download }));
  }
})();
