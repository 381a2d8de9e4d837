// The questionnaire page: search answers, policies and controls, select answers, and export
// the selection as CSV. Without JavaScript the page is a list in pages of 100.
//
// On the site, the search reads an index in small files (search/index/, made by
// `render::search_index`): a query fetches only the chunks of its words, then only the pages
// that hold the results it shows, and takes each result from its page, so every result is
// drawn by the one template. In the auditor bundle, opened from disk where a page cannot
// fetch, every entry is on the page and the search filters it in place.
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

  // ---- Words, exactly as `render::search_index` reads them (shared test vectors) ----

  var ALPHANUMERIC = /^[\p{Alphabetic}\p{N}]$/u;
  var JOINERS = ".-_\u2010";
  var JOIN_WORDS = 4;
  var TERM_CHARS = 48;

  /** `search_index::fold`: NFKD, lower case, no combining accents U+0300–U+036F or
   *  invisible characters, the final sigma as σ, NFC. */
  function fold(text) {
    return (text || "")
      .normalize("NFKD")
      .toLowerCase()
      .replace(/[\u0300-\u036f\u00ad\u200b-\u200d\u2060\ufeff]/g, "")
      .replace(/ς/g, "σ")
      .normalize("NFC");
  }

  /** At most `TERM_CHARS` code points. */
  function capped(text) {
    return Array.from(text).slice(0, TERM_CHARS).join("");
  }

  /** Runs of letters and digits as [start, end) (code units), grouped where one joiner
   *  stands between two runs: `search_index::groups`. */
  function groups(text) {
    var out = [];
    var run = -1;
    var previousEnd = -1;
    var joinable = -1;
    var index = 0;
    var chars = Array.from(text);
    for (var i = 0; i <= chars.length; i++) {
      var c = i < chars.length ? chars[i] : " ";
      if (i < chars.length && ALPHANUMERIC.test(c)) {
        if (run < 0) run = index;
        index += c.length;
        continue;
      }
      if (run >= 0) {
        var joined = joinable >= 0 && run === joinable + 1;
        if (joined && out.length) out[out.length - 1].push([run, index]);
        else out.push([[run, index]]);
        previousEnd = index;
        run = -1;
      }
      joinable = previousEnd >= 0 && index === previousEnd && JOINERS.indexOf(c) !== -1 ? previousEnd : -1;
      index += c.length;
    }
    return out;
  }

  /** `search_index::terms`. */
  function terms(text) {
    text = fold(text);
    var out = [];
    groups(text).forEach(function (group) {
      group.forEach(function (word, index) {
        out.push(capped(text.slice(word[0], word[1])));
        var last = Math.min(index + JOIN_WORDS, group.length) - 1;
        if (last > index) out.push(capped(text.slice(word[0], group[last][1])));
      });
    });
    return out;
  }

  /** `search_index::query_words`. */
  function queryWords(text) {
    text = fold(text);
    return groups(text).map(function (group) {
      return capped(text.slice(group[0][0], group[Math.min(group.length, JOIN_WORDS) - 1][1]));
    });
  }

  window.trustpressSearch = { fold: fold, terms: terms, queryWords: queryWords };

  var form = document.getElementById("search-form");
  var list = document.getElementById("results");
  if (!form || !list) return;
  var originals = Array.prototype.slice.call(list.querySelectorAll(".result"));
  // Found by attribute, not id: a heading in an answer's text gets an id of its own, and
  // `## More results` on the page must not take the place of the button.
  var none = document.querySelector("[data-search-none]");
  var bar = document.getElementById("export-bar");
  var exportButton = document.getElementById("export-selected");
  var selectedCount = document.getElementById("selected-count");
  var more = document.querySelector("[data-search-more]");
  var pager = document.querySelector("[data-search-pager]");
  var BATCH = 20;

  /** Every result element the page holds or has fetched, by entry number (page order). */
  var known = new Map();
  /** The entry numbers of the current search, and how many of them are in the list. */
  var current = null;
  var drawn = 0;
  /** A newer search makes an older one's late answers void. */
  var generation = 0;

  function showCheckboxes(item) {
    item.querySelectorAll("input[name=select]").forEach(function (box) { box.hidden = false; });
  }
  originals.forEach(showCheckboxes);

  function filters() {
    return {
      words: queryWords(form.elements.q.value),
      kind: form.elements.kind.value,
      category: form.elements.category.value,
      framework: form.elements.framework.value
    };
  }

  function remember() {
    var params = new URLSearchParams();
    ["q", "kind", "category", "framework"].forEach(function (name) {
      if (form.elements[name].value) params.set(name, form.elements[name].value);
    });
    var query = params.toString();
    history.replaceState(null, "", query ? "?" + query : location.pathname);
  }

  function showCount(shown, total) {
    form.elements.count.value = t("shown_some", "{shown} of {total} shown", { shown: number(shown), total: number(total) });
    none.hidden = shown !== 0;
  }

  // ---- In place: the bundle, or a site whose index could not be read ----

  var texts = null;
  function applyInPlace() {
    if (!texts) {
      texts = originals.map(function (item) {
        var set = new Set(terms(item.textContent + " " + item.dataset.id));
        return Array.from(set);
      });
    }
    var f = filters();
    var shown = 0;
    originals.forEach(function (item, index) {
      var visible = f.words.every(function (w) { return texts[index].some(function (term) { return term.startsWith(w); }); }) &&
        (!f.kind || item.dataset.kind === f.kind) &&
        (!f.category || (item.dataset.kind === "answer" && item.dataset.category === f.category)) &&
        (!f.framework || item.dataset.frameworks.split("|").indexOf(f.framework) !== -1);
      item.hidden = !visible;
      if (visible) shown++;
    });
    showCount(shown, originals.length);
  }

  // ---- The index: search/index/meta.json, its chunks and facets ----

  var indexBase = form.dataset.index ? new URL(form.dataset.index, location.href) : null;
  // This page's build: an index or a page of another build (the site was deployed again
  // while this page was open) numbers its entries otherwise, so its results are not used.
  var build = form.dataset.build;
  var stale = false;
  function sameBuild(other, what) {
    if (other !== build) {
      stale = true;
      throw new Error("another build's " + what);
    }
  }
  var searchRoot = indexBase ? new URL("../", indexBase) : null;
  // This page's results are entries first, first + 1, … (all of them, from 0, in place).
  var first = Number(form.dataset.first || 0);
  originals.forEach(function (item, index) { known.set(first + index, item); });
  var files = new Map();
  var failed = false;

  function fetchJson(name) {
    if (!files.has(name)) {
      files.set(name, fetch(new URL(name, indexBase)).then(function (response) {
        if (!response.ok) throw new Error(response.status + " " + name);
        return response.json();
      }).then(function (json) {
        if (name === "meta.json") sameBuild(json.build, "index");
        return json;
      }));
    }
    return files.get(name);
  }

  /** A list written as runs (gap after the previous run's end, length) as numbers. */
  function decode(runs) {
    var out = [];
    var at = 0;
    for (var i = 0; i + 1 < runs.length; i += 2) {
      at += runs[i];
      for (var k = 0; k < runs[i + 1]; k++) out.push(at++);
    }
    return out;
  }

  /** Code point order, as the index sorts its terms (`str`'s `Ord`). */
  function compare(a, b) {
    var x = Array.from(a);
    var y = Array.from(b);
    for (var i = 0; i < Math.min(x.length, y.length); i++) {
      var d = x[i].codePointAt(0) - y[i].codePointAt(0);
      if (d) return d;
    }
    return x.length - y.length;
  }

  /** The chunks that may hold a term starting with `word`: the last one starting at or
   *  before it, then each whose first term starts with it. */
  function chunksFor(meta, word) {
    if (!meta.chunks.length) return [];
    var start = 0;
    meta.chunks.forEach(function (chunk, index) {
      if (compare(chunk[0], word) <= 0) start = index;
    });
    var out = [meta.chunks[start][1]];
    for (var i = start + 1; i < meta.chunks.length && meta.chunks[i][0].startsWith(word); i++) out.push(meta.chunks[i][1]);
    return out;
  }

  /** The sorted entry numbers with a term starting with `word`. */
  function entriesWith(meta, word) {
    return Promise.all(chunksFor(meta, word).map(fetchJson)).then(function (chunks) {
      var found = new Set();
      chunks.forEach(function (chunk) {
        chunk.terms.forEach(function (pair) {
          if (pair[0].startsWith(word)) decode(pair[1]).forEach(function (n) { found.add(n); });
        });
      });
      return Array.from(found).sort(function (a, b) { return a - b; });
    });
  }

  function intersect(lists) {
    return lists.reduce(function (a, b) {
      var set = new Set(b);
      return a.filter(function (n) { return set.has(n); });
    });
  }

  function matches(meta, f) {
    var lists = f.words.map(function (word) { return entriesWith(meta, word); });
    if (f.kind) lists.push(Promise.resolve(decode(meta.kinds[f.kind] || [])));
    if (f.category || f.framework) {
      lists.push(fetchJson(meta.facets).then(function (facets) {
        var parts = [];
        if (f.category) parts.push(decode(facets.categories[f.category] || []));
        if (f.framework) parts.push(decode(facets.frameworks[f.framework] || []));
        return intersect(parts);
      }));
    }
    return Promise.all(lists).then(intersect);
  }

  var pages = new Map();
  function pageUrl(page) {
    return page === 1 ? searchRoot : new URL("page/" + page + "/", searchRoot);
  }

  /** The result elements of page `page`, their links made absolute (they were relative to
   *  that page). */
  function fetchPage(page) {
    if (!pages.has(page)) {
      var url = pageUrl(page);
      pages.set(page, fetch(url).then(function (response) {
        if (!response.ok) throw new Error(response.status + " " + url);
        return response.text();
      }).then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var other = doc.getElementById("search-form");
        sameBuild(other && other.dataset.build, "page");
        return Array.prototype.map.call(doc.querySelectorAll("#results > .result"), function (item) {
          var copy = document.importNode(item, true);
          copy.querySelectorAll("a[href]").forEach(function (a) {
            a.setAttribute("href", new URL(a.getAttribute("href"), url).href);
          });
          showCheckboxes(copy);
          return copy;
        });
      }));
    }
    return pages.get(page);
  }

  /** The elements of entries `numbers` (each a promise), from this page or the pages that
   *  hold them, all asked for at once. */
  function itemsOf(meta, numbers) {
    return numbers.map(function (n) {
      if (known.has(n)) return known.get(n);
      var page = Math.floor(n / meta.per_page) + 1;
      return fetchPage(page).then(function (items) {
        if (!known.has(n)) known.set(n, items[n % meta.per_page]);
        return known.get(n);
      });
    });
  }

  function browse() {
    current = null;
    list.replaceChildren.apply(list, originals);
    originals.forEach(function (item) { item.hidden = false; });
    more.hidden = true;
    if (pager) pager.hidden = false;
    form.elements.count.value = "";
    none.hidden = true;
  }

  /** Draws the next results, each as soon as it and those before it are there: the first
   *  results show while later pages are still on their way. */
  function drawMore(meta, mine) {
    var next = current.slice(drawn, drawn + BATCH);
    drawn += next.length;
    var chain = Promise.resolve();
    itemsOf(meta, next).forEach(function (pending) {
      chain = chain.then(function () { return pending; }).then(function (item) {
        if (mine !== generation || !item) return;
        item.hidden = false;
        list.appendChild(item);
      });
    });
    return chain.then(function () {
      if (mine !== generation) return;
      var left = current.length - drawn;
      more.hidden = left <= 0;
      more.textContent = t("more_results", "Show {count} more", { count: number(Math.min(left, BATCH)) });
    });
  }

  // The list is busy (aria-busy) from a search's start until its results are drawn.
  function done(mine) {
    if (mine === generation) list.removeAttribute("aria-busy");
  }

  function applyIndexed() {
    var mine = ++generation;
    var f = filters();
    if (!f.words.length && !f.kind && !f.category && !f.framework) {
      browse();
      done(mine);
      return Promise.resolve();
    }
    list.setAttribute("aria-busy", "true");
    return fetchJson("meta.json").then(function (meta) {
      return matches(meta, f).then(function (numbers) {
        if (mine !== generation) return;
        current = numbers;
        drawn = 0;
        list.replaceChildren();
        if (pager) pager.hidden = true;
        showCount(numbers.length, meta.entries);
        return drawMore(meta, mine);
      });
    }).then(function () { done(mine); }, function () {
      if (mine !== generation) return;
      failed = true;
      form.insertAdjacentHTML("afterend", '<p class="muted" role="status"></p>');
      form.nextElementSibling.textContent = stale
        ? t("index_stale", "The trust center has changed since this page was opened: reload it to search everything. Until then, only the results on this page are searched.")
        : t("index_failed", "The search index could not be loaded, so only the results on this page are searched.");
      browse();
      applyInPlace();
      done(mine);
    });
  }

  function apply() {
    remember();
    if (!indexBase || failed) applyInPlace();
    else applyIndexed();
  }

  // ---- Selection and export ----

  /** The results the page holds or has fetched, ticked, in entry (page) order. */
  function selected() {
    return Array.from(known.keys()).sort(function (a, b) { return a - b; }).map(function (n) { return known.get(n); }).filter(function (item) {
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

  function shownItems() {
    return Array.prototype.filter.call(list.querySelectorAll(".result"), function (item) { return !item.hidden; });
  }

  var params = new URLSearchParams(location.search);
  ["q", "kind", "category", "framework"].forEach(function (name) {
    if (params.get(name)) form.elements[name].value = params.get(name);
  });
  form.addEventListener("input", apply);
  form.addEventListener("submit", function (event) { event.preventDefault(); });
  list.addEventListener("change", updateSelection);
  exportButton.addEventListener("click", exportCsv);
  more.addEventListener("click", function () {
    var mine = generation;
    list.setAttribute("aria-busy", "true");
    fetchJson("meta.json").then(function (meta) { return drawMore(meta, mine); }).then(function () { done(mine); }, function () { done(mine); });
  });
  document.getElementById("select-shown").addEventListener("click", function () {
    shownItems().forEach(function (item) {
      var box = item.querySelector("input[name=select]");
      if (box) box.checked = true;
    });
    updateSelection();
  });
  document.getElementById("clear-selection").addEventListener("click", function () {
    known.forEach(function (item) {
      var box = item.querySelector("input[name=select]");
      if (box) box.checked = false;
    });
    updateSelection();
  });
  form.hidden = false;
  bar.hidden = false;
  if (params.toString() || !indexBase) apply();
  else browse();
  updateSelection();
})();
