// Adds the page's CSRF token to every htmx request (htmx 4 and 2 event names); forms also
// carry it in a hidden field, so the console keeps working with scripts off.
(function () {
  function token() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : null;
  }
  document.addEventListener("htmx:config:request", function (e) {
    var t = token();
    if (t && e.detail && e.detail.ctx && e.detail.ctx.request) e.detail.ctx.request.headers["X-CSRF-Token"] = t;
  });
  document.addEventListener("htmx:configRequest", function (e) {
    var t = token();
    if (t && e.detail && e.detail.headers) e.detail.headers["X-CSRF-Token"] = t;
  });
})();
