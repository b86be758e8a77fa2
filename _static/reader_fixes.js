/* Cross-Entropy, Derived: fixes of the reader's side of the site, each held by a test in
   tests/site/test_browser.py. Loaded on every page (Jupyter Book adds every _static/*.js). */
(() => {
  "use strict";

  const ready = (fn) => (document.readyState === "loading"
    ? document.addEventListener("DOMContentLoaded", fn) : fn());

  /* 1. The ☰ (chapters) and ≡ (page contents) buttons.
     pydata-sphinx-theme 0.17.1 (setupMobileSidebarKeyboardHandlers) and sphinx-book-theme 1.3.0
     (fixSidebarToggle, addBlurToButtons) bind `document.querySelector(".primary-toggle")` and
     `.secondary-toggle`: the first element with the class, which since PST 0.17 is a copy in the
     top bar that is never visible. The visible buttons in the article header get no listener
     and do nothing (pydata-sphinx-theme issue 2451). The visible buttons hand their click to the
     bound copy, which opens the drawer at phone and tablet width and collapses the sidebar on
     a wide screen, as the themes meant. Remove this when the themes bind every copy. */
  const forwardToggles = () => {
    for (const cls of ["primary-toggle", "secondary-toggle"]) {
      const all = Array.from(document.querySelectorAll(`.${cls}`));
      const bound = all[0];
      all.slice(1).forEach((button) => {
        button.addEventListener("click", (event) => {
          event.preventDefault();
          event.stopPropagation();
          button.blur();
          bound.click();
        });
      });
    }
  };

  /* 2. Tooltips of the header icons (Bootstrap's, trigger "hover focus", shown 500 ms after
     the pointer enters or the focus arrives) stayed over an icon after a tap: a tap leaves the
     button hovered and focused, so Bootstrap shows the tooltip after its delay, and nothing
     hides it until the reader taps elsewhere. The first fix looked up `window.bootstrap` when
     this file ran; but the theme loads bootstrap.js with `defer` after this file (and creates
     the tooltips when it runs), so it found no Bootstrap and did nothing.
     This fix does not depend on when, or how often, Bootstrap creates its tooltips: one
     listener on the document vetoes Bootstrap's cancelable `show.bs.tooltip` event unless the
     tooltip was asked for by a mouse that is over the element, or by the keyboard (the element
     has the keyboard focus, :focus-visible). A touch screen has no hover: a tapped icon never
     shows its tooltip (its label stays, as aria-label and title). After a click with a pointer
     (not Enter or Space), the clicked button gives up the focus, so that its tooltip, held by
     the focus trigger, goes when the mouse leaves. */
  let lastPointer = "mouse";
  const guardTooltips = () => {
    document.addEventListener("pointerdown", (e) => { lastPointer = e.pointerType; }, true);
    document.addEventListener("pointermove", (e) => {
      if (e.pointerType === "mouse") lastPointer = "mouse";  // a touch laptop's mouse, again
    }, true);
    document.addEventListener("show.bs.tooltip", (e) => {
      const el = e.target;
      const byMouse = lastPointer === "mouse" && el.matches(":hover");
      const byKeyboard = el.matches(":focus-visible");
      if (!byMouse && !byKeyboard) e.preventDefault();
    });
    document.addEventListener("click", (e) => {
      const el = e.target.closest && e.target.closest('[data-bs-toggle="tooltip"]');
      if (el && e.detail > 0) el.blur();  // detail 0: a click from the keyboard keeps the focus
    }, true);  // capture: the ☰ and ≡ buttons stop the click's propagation (1.)
  };

  /* 3. Figures. The book's figures are PNGs of twice their nominal size (xent.plotting), which
     the notebook records as the image's width; the nominal width is the figure at 100 dpi.
     A figure is never shown smaller than
     MIN_SCALE of that size, so its 11 pt text stays above ~9 CSS px (11 pt at 100 dpi is
     15.3 px; 0.6 x 15.3 = 9.2); a figure wider than the column scrolls inside its own box.
     A tap opens it full size in a dialog. */
  const MIN_SCALE = 0.6;
  const figureImages = () => Array.from(document.querySelectorAll(
    "main .cell_output img, main figure img")).filter((img) => !img.closest(".xent-zoom"));

  const nominalWidth = (img) => parseFloat(img.style.width) || parseFloat(img.getAttribute("width"))
    || img.naturalWidth;

  const openZoom = (img) => {
    let dialog = document.getElementById("xent-zoom");
    if (!dialog) {
      dialog = document.createElement("dialog");
      dialog.id = "xent-zoom";
      dialog.className = "xent-zoom";
      dialog.setAttribute("aria-label", "Figure, full size");
      dialog.innerHTML = '<button type="button" class="xent-zoom-close">Close ✕</button>'
        + '<div class="xent-zoom-body"><img alt=""></div>';
      dialog.querySelector("button").addEventListener("click", () => dialog.close());
      dialog.addEventListener("click", (e) => { if (e.target === dialog) dialog.close(); });
      document.body.appendChild(dialog);
    }
    const big = dialog.querySelector("img");
    big.src = img.currentSrc || img.src;
    big.alt = img.alt;
    big.style.width = `${nominalWidth(img)}px`;
    dialog.showModal();
  };

  const sizeFigure = (img) => {
    if (!img.naturalWidth) return;
    img.style.minWidth = `${Math.round(MIN_SCALE * nominalWidth(img))}px`;
    const box = img.parentElement;
    if (box) {
      box.classList.add("xent-figure-box");
      shade(box);
    }
  };

  const setUpFigures = () => {
    figureImages().forEach((img) => {
      img.classList.add("xent-zoomable");
      img.setAttribute("tabindex", "0");
      img.setAttribute("role", "button");
      img.setAttribute("aria-label", `${img.alt} (open full size)`);
      img.addEventListener("click", (e) => {
        e.preventDefault();  // Sphinx wraps a scaled image in a link to the file: the fallback
        openZoom(img);
      });
      img.addEventListener("keydown", (e) => {
        if (e.key === "Enter" || e.key === " ") { e.preventDefault(); openZoom(img); }
      });
      if (img.complete) sizeFigure(img); else img.addEventListener("load", () => sizeFigure(img));
    });
  };

  /* 4. Search (search.html): the summary under each result is cut from the result page's
     <main>, which also holds the page's header buttons, its contents list, code cells and raw
     TeX. Those are removed before Sphinx (searchtools.js, Search.htmlToText) cuts the summary. */
  const NOT_PROSE = [".bd-header-article", ".bd-sidebar-secondary", ".prev-next-area",
    ".bd-footer-article", "footer", ".cell_input", ".cell_output", "div.highlight", "pre",
    "div.math", ".eqno", "details.hide", "button", ".toggle-button", ".admonition-title .headerlink",
    "nav"].join(", ");
  const cleanSearchSummaries = () => {
    if (typeof Search === "undefined" || !Search.htmlToText) return;
    const original = Search.htmlToText;
    Search.htmlToText = (htmlString, anchor) => {
      const doc = new DOMParser().parseFromString(htmlString, "text/html");
      doc.querySelectorAll(NOT_PROSE).forEach((el) => el.remove());
      doc.querySelectorAll("span.math").forEach((el) => el.replaceWith("…"));
      return original(doc.documentElement.outerHTML, anchor);
    };
  };

  /* 5. Boxes that scroll sideways (wide display equations, tables, figures) show it: a shade
     on each edge that has more beyond it (xent.css). Updated on scroll and resize, and once
     MathJax has typeset the page. */
  const SCROLLERS = ["main div.math > mjx-container[display=\"true\"]", "main table",
    "main .cell_output .text_html", "main .xent-figure-box"].join(", ");
  const shade = (box) => {
    const more = box.scrollWidth - box.clientWidth;
    box.classList.toggle("xent-scroll-left", more > 1 && box.scrollLeft > 1);
    box.classList.toggle("xent-scroll-right", more > 1 && box.scrollLeft < more - 1);
    // a box that scrolls can be scrolled from the keyboard too (axe: scrollable-region-focusable)
    if (more > 1 && !box.hasAttribute("tabindex")) box.setAttribute("tabindex", "0");
  };
  const markScrollers = () => {
    document.querySelectorAll(SCROLLERS).forEach((box) => {
      if (!box.dataset.xentShade) {
        box.dataset.xentShade = "1";
        box.addEventListener("scroll", () => shade(box), { passive: true });
      }
      shade(box);
    });
  };
  const watchScrollers = () => {
    markScrollers();
    window.addEventListener("resize", markScrollers);
    window.addEventListener("load", markScrollers);
    const mj = window.MathJax;
    if (mj && mj.startup && mj.startup.promise) mj.startup.promise.then(markScrollers);
  };

  ready(() => {
    watchScrollers();
    forwardToggles();
    guardTooltips();
    setUpFigures();
    cleanSearchSummaries();
  });
})();
