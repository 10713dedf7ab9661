// One signature pad (OS-4, PLAN-3): every [data-signature-pad] block gets a SignaturePad; on submit
// of its form the drawing goes into the hidden input as a PNG data URL (empty if nothing drawn).
(function () {
  function setUp(block) {
    if (block.dataset.ready) return;
    block.dataset.ready = "1";
    const canvas = block.querySelector("canvas");
    const value = block.querySelector("[data-signature-value]");
    const pad = new SignaturePad(canvas, { backgroundColor: "rgb(255,255,255)", penColor: "rgb(0,0,0)", minWidth: 1.5, maxWidth: 3 });
    function resize() {
      const ratio = Math.max(window.devicePixelRatio || 1, 1);
      const data = pad.toData();
      canvas.width = canvas.offsetWidth * ratio;
      canvas.height = canvas.offsetHeight * ratio;
      canvas.getContext("2d").scale(ratio, ratio);
      pad.clear();
      pad.fromData(data);
    }
    resize();
    window.addEventListener("resize", resize);
    block.querySelector("[data-signature-clear]").addEventListener("click", () => pad.clear());
    const form = block.closest("form");
    if (form) form.addEventListener("submit", () => { value.value = pad.isEmpty() ? "" : pad.toDataURL("image/png"); });
  }
  document.querySelectorAll("[data-signature-pad]").forEach(setUp);
})();
