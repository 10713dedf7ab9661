// On a phone a table marked .kefu-stack shows each row as a block (kefu.css); each cell is
// labelled with its column's header here, unless the template set data-label itself.
(function () {
  document.querySelectorAll("table.kefu-stack").forEach(function (table) {
    const heads = Array.from(table.querySelectorAll("thead th")).map(function (th) { return th.textContent.trim(); });
    table.querySelectorAll("tbody tr").forEach(function (row) {
      Array.from(row.children).forEach(function (cell, i) {
        if (!cell.dataset.label && heads[i] && cell.colSpan === 1) cell.dataset.label = heads[i];
      });
    });
  });
})();
