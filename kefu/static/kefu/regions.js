// Cascading 省/市/区: changing a level reloads the children of the next one. The regions URL
// comes from this script tag's data-regions-url.
(function () {
  const url = document.currentScript.dataset.regionsUrl;
  const levels = ["id_province", "id_city", "id_district"].map((id) => document.getElementById(id));
  if (levels.some((el) => !el)) return;
  async function fill(select, parent) {
    const keep = select.value;
    select.innerHTML = '<option value="">---------</option>';
    if (!parent) return;
    const data = await (await fetch(url + "?parent=" + encodeURIComponent(parent))).json();
    for (const r of data.results) {
      const o = document.createElement("option");
      o.value = r.code; o.textContent = r.name; if (r.code === keep) o.selected = true;
      select.appendChild(o);
    }
  }
  const [province, city, district] = levels;
  fill(city, province.value).then(() => fill(district, city.value));
  province.addEventListener("change", () => fill(city, province.value).then(() => fill(district, "")));
  city.addEventListener("change", () => fill(district, city.value));
})();
