/* Cross-Entropy, Derived: fixes of the reader's side of the site, each held by a test in
   tests/site/test_browser.py (6 and 7: tests/site/test_page_weight.py). Loaded on every page
   (Jupyter Book adds every _static/*.js). */
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
  /* Measuring a box lays out the part of the page it is in, including parts below the fold
     that the browser skips (content-visibility, xent.css): the boxes are measured a few
     milliseconds at a time, so that no long task holds up the page. When every box is
     measured, <html> gets data-xent-scrollers="done" (the browser tests wait for it). */
  let pass = 0;
  const markScrollers = () => {
    const boxes = Array.from(document.querySelectorAll(SCROLLERS));
    const mine = ++pass;  // a newer pass (a resize) supersedes this one
    document.documentElement.dataset.xentScrollers = "pending";
    let i = 0;
    const step = () => {
      if (mine !== pass) return;
      const until = performance.now() + 8;
      for (; i < boxes.length && performance.now() < until; i++) {
        const box = boxes[i];
        if (!box.dataset.xentShade) {
          box.dataset.xentShade = "1";
          box.addEventListener("scroll", () => shade(box), { passive: true });
        }
        shade(box);
      }
      if (i < boxes.length) setTimeout(step, 0);
      else document.documentElement.dataset.xentScrollers = "done";
    };
    step();
  };
  const watchScrollers = () => {
    if (document.readyState === "complete") markScrollers();
    window.addEventListener("resize", markScrollers);
    window.addEventListener("load", markScrollers);
    const mj = window.MathJax;
    if (mj && mj.startup && mj.startup.promise) mj.startup.promise.then(markScrollers);
  };

  /* 6. Figures load lazily (book_ext/page_weight.py); a printout needs every one. The
     theme's print button (window.print) prints once they have all loaded. Printing from the
     browser's menu only fires beforeprint, which does not wait: the figures not yet loaded
     start loading then, and a browser that does not wait for them prints them blank. */
  const loadAll = () => Promise.all(Array.from(document.images, (img) => {
    if (img.loading === "lazy") img.loading = "eager";
    return img.complete ? null : new Promise((done) => {
      img.addEventListener("load", done, { once: true });
      img.addEventListener("error", done, { once: true });
    });
  }));
  const loadAllForPrint = () => {
    window.addEventListener("beforeprint", loadAll);
    const print = window.print.bind(window);
    window.print = () => { loadAll().then(print); };
  };

  /* 7. A permalink to a place far down the page: the browser skips the blocks it has not
     shown yet (xent.css, content-visibility) and counts an estimate of their height, so the
     blocks laid out around the target as it comes on the screen can push it away from where
     the browser scrolled. The target is scrolled to again while that settles (2 s, and 1 s
     after load), unless the reader scrolls. */
  let readerScrolled = false;
  const holdTarget = () => {
    const id = decodeURIComponent(location.hash.slice(1));
    const target = id && document.getElementById(id);
    if (!target) return;
    readerScrolled = false;
    let until = performance.now() + 2000;
    window.addEventListener("load", () => { until = Math.max(until, performance.now() + 1000); });
    target.scrollIntoView();
    let want = target.getBoundingClientRect().top;
    const check = () => {
      if (readerScrolled) return;
      if (Math.abs(target.getBoundingClientRect().top - want) > 1) {
        target.scrollIntoView();
        want = target.getBoundingClientRect().top;
      }
      if (performance.now() < until || document.readyState !== "complete") requestAnimationFrame(check);
    };
    requestAnimationFrame(check);
  };
  const keepPermalinkTargets = () => {
    for (const type of ["wheel", "touchmove", "keydown", "mousedown"]) {
      window.addEventListener(type, () => { readerScrolled = true; }, { capture: true, passive: true });
    }
    window.addEventListener("hashchange", holdTarget);
    holdTarget();
  };

  ready(() => {
    keepPermalinkTargets();
    loadAllForPrint();
    watchScrollers();
    forwardToggles();
    guardTooltips();
    setUpFigures();
    cleanSearchSummaries();
  });
})();
