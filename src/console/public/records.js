// Patient-record pages: the prescription's Print button (scripts are external: the CSP forbids inline ones).
(function () {
  document.addEventListener("click", function (e) {
    var target = e.target instanceof Element ? e.target.closest("[data-print]") : null;
    if (target) window.print();
  });
})();
