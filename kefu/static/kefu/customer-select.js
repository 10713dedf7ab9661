// The customer select searches the archive as the user types (name, short name, pinyin initials):
// every select[data-remote] becomes a TomSelect that loads its options from that URL.
(function () {
  if (!window.TomSelect) return;
  document.querySelectorAll("select[data-remote]").forEach(function (el) {
    new TomSelect(el, {
      valueField: "id", labelField: "name", searchField: ["name", "short_name", "initials"], maxOptions: 20,
      load(query, callback) {
        if (!query) return callback();
        fetch(el.dataset.remote + "?page_size=20&q=" + encodeURIComponent(query), {credentials: "same-origin"})
          .then((r) => r.json()).then((data) => callback(data.results)).catch(() => callback());
      },
    });
  });
})();
