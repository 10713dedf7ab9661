// The page shell (no inline script: the Content-Security-Policy allows scripts from our own origin
// only). A <select data-submit-on-change> submits its form when changed (the language switcher).
(function () {
  document.addEventListener("change", function (event) {
    const select = event.target.closest("select[data-submit-on-change]");
    if (select && select.form) select.form.submit();
  });
})();
