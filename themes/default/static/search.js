// The questionnaire page: filter the complete list the server rendered, select answers, and
// export the selection as CSV. Without JavaScript the page is the complete list.
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

  var form = document.getElementById("search-form");
  var list = document.getElementById("results");
  if (!form || !list) return;
  var items = Array.prototype.slice.call(list.querySelectorAll(".result"));
  var none = document.getElementById("no-results");
  var bar = document.getElementById("export-bar");
  var exportButton = document.getElementById("export-selected");
  var selectedCount = document.getElementById("selected-count");

  function normalise(text) {
    return (text || "").toLowerCase().normalize("NFKD").replace(/[\u0300-\u036f]/g, "");
  }
  var texts = items.map(function (item) { return normalise(item.textContent + " " + item.dataset.id); });

  function apply() {
    var words = normalise(form.elements.q.value).split(/\s+/).filter(Boolean);
    var kind = form.elements.kind.value;
    var category = form.elements.category.value;
    var framework = form.elements.framework.value;
    var shown = 0;
    items.forEach(function (item, index) {
      var visible = words.every(function (w) { return texts[index].indexOf(w) !== -1; }) &&
        (!kind || item.dataset.kind === kind) &&
        (!category || (item.dataset.kind === "answer" && item.dataset.category === category)) &&
        (!framework || item.dataset.frameworks.split("|").indexOf(framework) !== -1);
      item.hidden = !visible;
      if (visible) shown++;
    });
    form.elements.count.value = t("shown_some", "{shown} of {total} shown", { shown: number(shown), total: number(items.length) });
    none.hidden = shown !== 0;
    var params = new URLSearchParams();
    ["q", "kind", "category", "framework"].forEach(function (name) {
      if (form.elements[name].value) params.set(name, form.elements[name].value);
    });
    var query = params.toString();
    history.replaceState(null, "", query ? "?" + query : location.pathname);
  }

  function selected() {
    return items.filter(function (item) {
      var box = item.querySelector("input[name=select]");
      return box && box.checked;
    });
  }

  function updateSelection() {
    var count = selected().length;
    selectedCount.value = number(count);
    exportButton.disabled = count === 0;
  }

  // Spreadsheet programs run cells starting with = + - @ as formulas.
  function cell(text) {
    var value = (text || "").replace(/\s+\n/g, "\n").trim();
    if (/^[=+\-@\t\r]/.test(value)) value = "'" + value;
    return '"' + value.replace(/"/g, '""') + '"';
  }

  function exportCsv() {
    var rows = [["ID", "Category", "Question", "Answer", "Controls", "Policies", "CAIQ"]];
    selected().forEach(function (item) {
      var body = item.querySelector(".result-body");
      rows.push([
        item.dataset.id,
        item.dataset.category,
        item.querySelector(".result-title").textContent,
        body ? body.innerText : "",
        item.dataset.controls,
        item.dataset.policies,
        item.dataset.caiq
      ]);
    });
    var csv = rows.map(function (row) { return row.map(cell).join(","); }).join("\r\n") + "\r\n";
    var blob = new Blob(["\ufeff" + csv], { type: "text/csv;charset=utf-8" });
    var link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = "security-answers.csv";
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(function () { URL.revokeObjectURL(link.href); }, 1000);
  }

  var params = new URLSearchParams(location.search);
  ["q", "kind", "category", "framework"].forEach(function (name) {
    if (params.get(name)) form.elements[name].value = params.get(name);
  });
  form.addEventListener("input", apply);
  form.addEventListener("submit", function (event) { event.preventDefault(); });
  list.addEventListener("change", updateSelection);
  exportButton.addEventListener("click", exportCsv);
  document.getElementById("select-shown").addEventListener("click", function () {
    items.forEach(function (item) {
      var box = item.querySelector("input[name=select]");
      if (box && !item.hidden) box.checked = true;
    });
    updateSelection();
  });
  document.getElementById("clear-selection").addEventListener("click", function () {
    items.forEach(function (item) {
      var box = item.querySelector("input[name=select]");
      if (box) box.checked = false;
    });
    updateSelection();
  });
  list.querySelectorAll("input[name=select]").forEach(function (box) { box.hidden = false; });
  form.hidden = false;
  bar.hidden = false;
  apply();
  updateSelection();
})();
