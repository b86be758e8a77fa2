"""Fixtures of the browser tests of the built site, one of each for the whole session.

``server`` serves ``_build/html`` on 127.0.0.1; ``browser`` is one headless Chromium (a
``sitebrowser.Browser``: Playwright's async API on one event loop); ``visits`` has opened every
page that the collected modules' probes ask for, in each mode they ask for, several at a time,
and holds what each visit recorded (see ``sitebrowser.py``).
"""

import pytest

import sitebrowser


@pytest.fixture(scope="session")
def server():
    if not (sitebrowser.HTML / "index.html").is_file():
        pytest.fail("no built site in _build/html: run `make test-build` (or `make book`) first")
    with sitebrowser.serve(sitebrowser.HTML) as base:
        yield base


@pytest.fixture(scope="session")
def browser():
    sitebrowser.require_chromium()
    b = sitebrowser.Browser()
    yield b
    b.close()


@pytest.fixture(scope="session")
def visits(browser, server):
    """{(path, mode): what the visit saw, or the exception it raised}."""
    if not sitebrowser.site_pages():
        pytest.fail("no built site in _build/html: run `make test-build` (or `make book`) first")
    return sitebrowser.visit_all(browser, server)
