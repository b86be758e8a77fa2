#!/usr/bin/env node
/*
 * The book's formulas typeset by MathJax at build time (called by book_ext/prerender_math.py).
 *
 * MathJax 3.2.2 (npm mathjax-full, pinned in package.json) with the TeX input of the browser
 * component the site used before (tex-chtml: base, ams, newcommand, require, autoload,
 * configmacros; autoload loads the other packages on first use, as in the browser), except
 * `noundefined`: an undefined macro is a TeX error here, reported, not red text on the page.
 * Output: SVG, each page with one cache of the glyph paths it uses (fontCache "global"), and
 * MathJax's assistive MathML beside each formula for screen readers.
 *
 * stdin:  {"macros": {...}, "pages": [{"name": "...", "formulas": [{"tex": "...", "display": true}]}]}
 * stdout: {"css": "...", "pages": [{"cache": "<svg ...>", "html": ["<mjx-container ...>", ...],
 *          "errors": [{"index": i, "message": "..."}]}]}
 */
"use strict";

const path = require("path");

const MATHJAX = path.dirname(require.resolve("mathjax-full/package.json"));

function readStdin() {
  return new Promise((resolve, reject) => {
    const chunks = [];
    process.stdin.on("data", (c) => chunks.push(c));
    process.stdin.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    process.stdin.on("error", reject);
  });
}

async function main() {
  const request = JSON.parse(await readStdin());
  let errors = null;  // the current page's TeX errors
  let current = -1;   // index of the formula being typeset
  const MathJax = await require(path.join(MATHJAX, "es5", "node-main.js")).init({
    loader: { load: ["input/tex", "output/svg", "a11y/assistive-mml"] },
    tex: {
      packages: { "[-]": ["noundefined"] },
      macros: request.macros || {},
      formatError(jax, err) {
        errors.push({ index: current, message: err.message });
        return jax.formatError(err);
      },
    },
    svg: { fontCache: "global" },
    startup: { typeset: false },
  });
  const adaptor = MathJax.startup.adaptor;
  const output = MathJax.startup.output;
  const pages = [];
  for (const page of request.pages) {
    errors = [];
    output.clearFontCache();
    const html = [];
    for (let i = 0; i < page.formulas.length; i++) {
      const f = page.formulas[i];
      current = i;
      MathJax.texReset();
      const node = await MathJax.tex2svgPromise(f.tex, { display: !!f.display, em: 16, ex: 8, containerWidth: 720 });
      if (adaptor.tags(node, "merror").length && !errors.some((e) => e.index === i)) {
        errors.push({ index: i, message: "MathJax produced an error node" });
      }
      html.push(adaptor.outerHTML(node));
    }
    const cache = output.pageElements(MathJax.startup.document);
    pages.push({ cache: cache ? adaptor.outerHTML(cache) : "", html, errors });
  }
  const css = adaptor.textContent(MathJax.svgStylesheet());
  process.stdout.write(JSON.stringify({ css, pages }));
}

main().catch((err) => {
  process.stderr.write(`prerender_math.js: ${err && err.stack ? err.stack : err}\n`);
  process.exit(1);
});
