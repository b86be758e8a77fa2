"""Take the README's screenshot of the built site: ``make screenshot``.

Opens ``chapters/04_binary_gradient.html`` of ``_build/html`` in headless
Chromium (Debian's ``chromium``) at 1280x800 in the light theme, scrolled to the
three-factor derivation, and writes ``docs/screenshot.png``.
"""

import functools
import http.server
import shutil
import sys
import threading
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
HTML = ROOT / "_build" / "html"
PAGE = "chapters/04_binary_gradient.html"
ANCHOR = "#the-second-factor-partial-p-i-partial-s-i"
OUT = ROOT / "docs" / "screenshot.png"


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def main() -> int:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        print("no Chromium: apt-get install chromium", file=sys.stderr)
        return 1
    if not (HTML / PAGE).is_file():
        print(f"no {HTML / PAGE}: run `make book` first", file=sys.stderr)
        return 1
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(HTML)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
            page = browser.new_page(viewport={"width": 1280, "height": 800}, color_scheme="light")
            page.goto(f"http://127.0.0.1:{httpd.server_address[1]}/{PAGE}", wait_until="load")
            page.evaluate("() => window.MathJax ? window.MathJax.startup.promise : null")
            page.wait_for_load_state("networkidle")
            page.evaluate(f"() => document.querySelector('{ANCHOR}').scrollIntoView({{block: 'start'}})")
            page.evaluate("() => window.scrollBy(0, -60)")
            page.screenshot(path=str(OUT))
            browser.close()
    finally:
        httpd.shutdown()
    print(OUT)
    return 0


if __name__ == "__main__":
    sys.exit(main())
