// The dispatch board's engineer table: picking one shows the name; the filter hides rows that do
// not match and never leaves a hidden engineer picked (the pick must then be made again).
(function () {
  const rows = document.getElementById("engineer-rows"), picked = document.getElementById("picked-engineer");
  const filter = document.getElementById("engineer-filter");
  if (!rows || !picked || !filter) return;
  rows.addEventListener("change", function (event) {
    picked.textContent = event.target.closest("label").textContent.trim();
  });
  filter.addEventListener("input", function () {
    const q = this.value.trim().toLowerCase();
    for (const row of rows.querySelectorAll("tr")) row.hidden = q !== "" && !row.textContent.toLowerCase().includes(q);
    const checked = rows.querySelector("input:checked");
    if (checked && checked.closest("tr").hidden) { checked.checked = false; picked.textContent = "—"; }
  });
})();
