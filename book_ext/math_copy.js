/* Copying text that holds formulas copies their TeX: $…$ inline, $$…$$ for a display formula.
   The formulas are SVG drawn at build time (book_ext/prerender_math.py, which inlines this
   script into the pages that have math); each mjx-container keeps its TeX in data-tex. */
document.addEventListener("copy", (event) => {
  const sel = document.getSelection();
  if (!sel || sel.isCollapsed || !sel.rangeCount || !event.clipboardData) return;
  const range = sel.getRangeAt(0);
  const tex = (m) => (m.getAttribute("display") === "true" ? "$$" + m.dataset.tex + "$$" : "$" + m.dataset.tex + "$");
  let anchor = range.commonAncestorContainer;
  if (anchor.nodeType !== 1) anchor = anchor.parentElement;
  const inside = anchor && anchor.closest("mjx-container[data-tex]");
  let text;
  if (inside) {
    text = tex(inside);
  } else {
    const box = document.createElement("div");
    box.appendChild(range.cloneContents());
    const maths = box.querySelectorAll("mjx-container[data-tex]");
    if (!maths.length) return;
    maths.forEach((m) => m.replaceWith(tex(m)));
    box.querySelectorAll(".headerlink").forEach((a) => a.remove());
    text = box.textContent;
  }
  event.clipboardData.setData("text/plain", text);
  event.preventDefault();
});
