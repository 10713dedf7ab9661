// [data-copy="#selector"] buttons copy that field's text to the clipboard and say so.
(function () {
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    button.addEventListener("click", function () {
      const field = document.querySelector(button.dataset.copy);
      if (!field) return;
      field.select();
      const done = function () { const label = button.textContent; button.textContent = button.dataset.copied || "✓"; setTimeout(function () { button.textContent = label; }, 1500); };
      if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(field.value).then(done, function () { document.execCommand("copy"); done(); });
      else { document.execCommand("copy"); done(); }
    });
  });
})();
