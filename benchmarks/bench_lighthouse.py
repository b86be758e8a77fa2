"""Page weight and Lighthouse scores of the built site (``_build/html``).

Serves the site on 127.0.0.1 with gzip, as a static host would, and prints:

1. for every page, what a first visit (empty cache) transfers: bytes on the
   wire and number of requests, measured in headless Chromium (Playwright);
2. Lighthouse 12 (npm ``lighthouse@12.2.3``, with Debian's Chromium) for the
   home page, the heaviest chapter of (1) and the errata, mobile and desktop:
   the four category scores, total byte weight, requests and the main timings.

Lighthouse is installed on first use with npm into ``_build/tools/lighthouse``
(ignored by git, outside the book's sources). Its performance score is simulated from a trace taken on
this machine, so it moves with the machine's load: the load average and
Lighthouse's CPU benchmark index are printed with the scores.

Usage: ``python benchmarks/bench_lighthouse.py [--runs N] [--site DIR]`` after
``make book`` (N runs per page and form factor, the median score is printed;
default 1; ``--site`` measures another built site than ``_build/html``; ``--keep DIR`` writes
each Lighthouse report there as JSON, for its audits' details). Below each
score, the performance audits Lighthouse scores under 0.9 are named with their
figures (what keeps the score down), with the unused JavaScript and the DOM size.
Targets (issue 16): mobile performance >= 90, desktop >= 98, accessibility,
best practices and SEO 100, first load of the heaviest chapter < 1 MB.
"""

import argparse
import functools
import gzip
import http.server
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HTML = ROOT / "_build" / "html"
TOOLS = ROOT / "_build" / "tools" / "lighthouse"
LIGHTHOUSE = TOOLS / "node_modules" / ".bin" / "lighthouse"
LIGHTHOUSE_VERSION = "12.2.3"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
COMPRESSIBLE = (".html", ".css", ".js", ".svg", ".json", ".txt", ".map", ".ttf", ".woff")
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
TIMINGS = ("first-contentful-paint", "largest-contentful-paint", "total-blocking-time",
           "cumulative-layout-shift", "speed-index")


class _GzipHandler(http.server.SimpleHTTPRequestHandler):
    """Static files, gzip-encoded for clients that accept it (text formats only)."""

    def log_message(self, *args):
        pass

    def send_head(self):
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if (not path.is_file() or path.suffix not in COMPRESSIBLE
                or "gzip" not in self.headers.get("Accept-Encoding", "")):
            return super().send_head()
        body = gzip.compress(path.read_bytes(), compresslevel=6)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "max-age=3600")
        self.end_headers()
        import io
        return io.BytesIO(body)


def serve():
    handler = functools.partial(_GzipHandler, directory=str(HTML))  # HTML: see main()
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.server_address[1]}"


def pages():
    skip = {"genindex.html", "search.html"}
    return sorted(str(p.relative_to(HTML)) for p in HTML.rglob("*.html")
                  if p.name not in skip and "_static" not in p.parts)


def first_load(base, paths):
    """Bytes on the wire and requests of a first visit to each page."""
    from playwright.sync_api import sync_playwright

    rows = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        for path in paths:
            context = browser.new_context(viewport={"width": 390, "height": 844})
            page = context.new_page()
            done = []
            page.on("requestfinished", lambda r: done.append(r))
            page.goto(f"{base}/{path}", wait_until="load")
            page.wait_for_load_state("networkidle")
            # a site typeset in the browser: its fonts load once MathJax has typeset the page
            page.evaluate("() => window.MathJax && MathJax.startup ? MathJax.startup.promise : null")
            page.wait_for_load_state("networkidle")
            wire, by_type = 0, {}
            for r in done:
                sizes = r.sizes()
                n = sizes["responseBodySize"] + sizes["responseHeadersSize"]
                wire += n
                by_type[r.resource_type] = by_type.get(r.resource_type, 0) + n
            rows[path] = (wire, len(done), by_type)
            context.close()
        browser.close()
    return rows


def ensure_lighthouse():
    if LIGHTHOUSE.exists():
        return
    npm = shutil.which("npm")
    if npm is None:
        sys.exit("npm not found: apt-get install nodejs npm (Lighthouse runs on Node)")
    TOOLS.mkdir(parents=True, exist_ok=True)
    subprocess.run([npm, "install", "--prefix", str(TOOLS), "--no-audit", "--no-fund",
                    "--save-exact", f"lighthouse@{LIGHTHOUSE_VERSION}"], check=True)


def lighthouse(url, desktop, keep=None):
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "report.json"
        cmd = [str(LIGHTHOUSE), url, "--output=json", f"--output-path={out}", "--quiet",
               "--only-categories=" + ",".join(CATEGORIES),
               "--chrome-flags=--headless=new --no-sandbox --disable-gpu"]
        if desktop:
            cmd.append("--preset=desktop")
        subprocess.run(cmd, check=True, env={**os.environ, "CHROME_PATH": CHROMIUM})
        report = json.loads(out.read_text(encoding="utf-8"))
        if keep is not None:
            keep.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(out, keep)
    audits = report["audits"]
    return {
        "scores": {c: round(100 * report["categories"][c]["score"]) for c in CATEGORIES},
        "bytes": audits["total-byte-weight"]["numericValue"],
        "requests": len(audits["network-requests"]["details"]["items"]),
        "timings": {t: audits[t]["numericValue"] for t in TIMINGS},
        "benchmark": report["environment"]["benchmarkIndex"],
        "slow": sorted((a["id"], a.get("displayValue", "")) for a in
                       (audits[r["id"]] for r in report["categories"]["performance"]["auditRefs"])
                       if a.get("score") is not None and a["score"] < 0.9
                       and a.get("scoreDisplayMode") in ("numeric", "metricSavings", "binary")),
        "unused_js": audits.get("unused-javascript", {}).get("details", {}).get("overallSavingsBytes", 0),
        "dom": audits.get("dom-size", {}).get("numericValue", 0),
        "failed": sorted(r["id"] for c in CATEGORIES if c != "performance"
                         for r in report["categories"][c]["auditRefs"]
                         if r.get("weight", 0) > 0 and audits[r["id"]]["score"] is not None
                         and audits[r["id"]]["score"] < 1),
    }


def main():
    global HTML
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1, help="Lighthouse runs per page and form factor")
    parser.add_argument("--no-lighthouse", action="store_true", help="page weights only")
    parser.add_argument("--site", type=Path, default=HTML, help="the built site (default _build/html)")
    parser.add_argument("--keep", type=Path, help="write each Lighthouse JSON report into this folder")
    args = parser.parse_args()
    HTML = args.site.resolve()
    if not (HTML / "index.html").is_file():
        print("bench_lighthouse: skipped, no built site (run `make book` first)")
        return
    if CHROMIUM is None:
        sys.exit("no Chromium: apt-get install chromium")
    httpd, base = serve()
    try:
        print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} "
              f"({os.cpu_count()} CPUs)")
        paths = pages()
        weights = first_load(base, paths)
        print("\nFirst visit (empty cache, gzip), phone width:")
        print(f"{'page':42s} {'kB':>8s} {'requests':>9s}  kB by type")
        for path in paths:
            wire, n, by_type = weights[path]
            kinds = ", ".join(f"{k} {v / 1e3:.0f}" for k, v in sorted(by_type.items(), key=lambda kv: -kv[1]))
            print(f"{path:42s} {wire / 1e3:8.1f} {n:9d}  {kinds}")
        chapters = [p for p in paths if p.startswith("chapters/")]
        heaviest = max(chapters, key=lambda p: weights[p][0])
        print(f"heaviest chapter: {heaviest} ({weights[heaviest][0] / 1e6:.2f} MB, "
              f"target < 1 MB)")
        if args.no_lighthouse:
            return
        ensure_lighthouse()
        errata = next((p for p in chapters if "errata" in p), heaviest)
        print(f"\nLighthouse {LIGHTHOUSE_VERSION} (median of {args.runs} run(s)); "
              "targets: mobile perf >= 90, desktop >= 98, others 100")
        print(f"{'page':34s} {'form':8s} {'perf':>4s} {'a11y':>4s} {'bp':>4s} {'seo':>4s} "
              f"{'kB':>7s} {'req':>4s} {'FCP':>6s} {'LCP':>6s} {'TBT':>6s} {'CLS':>5s} {'bench':>6s}")
        for path in dict.fromkeys(["index.html", heaviest, errata]):
            for desktop in (False, True):
                form = "desktop" if desktop else "mobile"
                runs = [lighthouse(f"{base}/{path}", desktop,
                                   args.keep / f"{Path(path).stem}.{form}.{i + 1}.json" if args.keep else None)
                        for i in range(args.runs)]
                med = {c: statistics.median(r["scores"][c] for r in runs) for c in CATEGORIES}
                last = runs[-1]
                t = {k: statistics.median(r["timings"][k] for r in runs) for k in TIMINGS}
                print(f"{path:34s} {'desktop' if desktop else 'mobile':8s} "
                      f"{med['performance']:4.0f} {med['accessibility']:4.0f} "
                      f"{med['best-practices']:4.0f} {med['seo']:4.0f} "
                      f"{last['bytes'] / 1e3:7.1f} {last['requests']:4d} "
                      f"{t['first-contentful-paint'] / 1e3:5.1f}s {t['largest-contentful-paint'] / 1e3:5.1f}s "
                      f"{t['total-blocking-time']:5.0f}ms {t['cumulative-layout-shift']:5.3f} "
                      f"{last['benchmark']:6.0f}")
                print(f"    unused JS {last['unused_js'] / 1e3:.0f} kB, DOM {last['dom']:.0f} elements; "
                      "audits under 0.9: " + (", ".join(f"{i} ({v})" if v else i for i, v in last["slow"])
                                              or "none"))
                if last["failed"]:
                    print(f"    failed audits: {', '.join(last['failed'])}")
        print(f"\nload average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    finally:
        httpd.shutdown()


if __name__ == "__main__":
    main()
