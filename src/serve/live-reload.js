// Live reload for `trustpress serve`. Injected into served HTML pages only, never into built
// files. Listens to the server's event stream: reloads this page when its own file changed,
// swaps changed stylesheets in place, shows the build error overlay while a rebuild fails,
// and reconnects (then reloads) after the server restarts.
(function () {
  "use strict";
  var me = document.currentScript;
  if (!me || !window.EventSource) return;
  var server = me.getAttribute("data-server");
  var build = Number(me.getAttribute("data-build"));
  var ownFiles = [me.getAttribute("data-page"), me.getAttribute("data-served")];
  var overlayId = "__trustpress-overlay";

  // The output file a same-origin URL names ("policies/pol-ac/" -> "policies/pol-ac/index.html").
  function fileOf(url) {
    var parsed;
    try { parsed = new URL(url, location.href); } catch (e) { return null; }
    if (parsed.origin !== location.origin) return null;
    var path;
    try { path = decodeURIComponent(parsed.pathname); } catch (e) { return null; }
    path = path.replace(/^\/+/, "");
    return path === "" || path.slice(-1) === "/" ? path + "index.html" : path;
  }

  function showOverlay(html) {
    hideOverlay();
    if (!html) return;
    var holder = document.createElement("div");
    holder.innerHTML = html;
    if (holder.firstChild) document.body.appendChild(holder.firstChild);
  }

  function hideOverlay() {
    var old = document.getElementById(overlayId);
    if (old) old.parentNode.removeChild(old);
  }

  function swapStylesheet(link, version) {
    var fresh = link.cloneNode();
    var url = new URL(link.href, location.href);
    url.searchParams.set("trustpress", String(version));
    fresh.href = url.href;
    // The old sheet stays until the new one has loaded: no flash of unstyled page.
    fresh.onload = fresh.onerror = function () { if (link.parentNode) link.parentNode.removeChild(link); };
    link.parentNode.insertBefore(fresh, link.nextSibling);
  }

  function onBuild(data) {
    var changed = {};
    (data.changed || []).forEach(function (path) { changed[path] = true; });
    hideOverlay();
    // A page served before the first good build was a placeholder.
    if (build === 0 || ownFiles.some(function (file) { return file && changed[file]; })) {
      location.reload();
      return;
    }
    build = data.build;
    var needsReload = false;
    document.querySelectorAll("script[src], img[src], iframe[src]").forEach(function (element) {
      if (element !== me && changed[fileOf(element.src)]) needsReload = true;
    });
    if (needsReload) {
      location.reload();
      return;
    }
    document.querySelectorAll("link[rel~='stylesheet'][href]").forEach(function (link) {
      if (changed[fileOf(link.href)]) swapStylesheet(link, data.build);
    });
  }

  var source = null;
  function connect() {
    source = new EventSource("/__trustpress/events");
    source.addEventListener("hello", function (message) {
      var data = JSON.parse(message.data);
      if (data.server !== server || data.build !== build) {
        location.reload();
        return;
      }
      if (data.overlay) showOverlay(data.overlay); else hideOverlay();
    });
    source.addEventListener("build", function (message) { onBuild(JSON.parse(message.data)); });
    source.addEventListener("failed", function (message) { showOverlay(JSON.parse(message.data).overlay); });
    source.onerror = function () {
      // Browsers retry by themselves unless the stream is closed for good; then try again.
      if (source.readyState === EventSource.CLOSED) {
        source = null;
        setTimeout(connect, 1000);
      }
    };
  }
  connect();
})();
