import os
import textwrap
from pathlib import Path

import pytest

from recoverylint.engine import check_text


@pytest.fixture
def lint():
    """Findings of a runbook written inline (dedented), sorted by position."""

    def run(text: str, code: str | None = None):
        findings = check_text(textwrap.dedent(text).lstrip("\n")).findings
        return [f for f in findings if code is None or f.code == code]

    return run


# -- Headless Chromium (plan's HTML report and Mermaid output) -------------

CHROMIUM = Path(os.environ.get("RECOVERYLINT_CHROMIUM", "/usr/bin/chromium"))
MERMAID_JS = Path(__file__).parent / "js" / "node_modules" / "mermaid" / "dist" / "mermaid.min.js"
# .ci/run sets this: there, a missing browser or library fails the tests
# instead of skipping them, so that CI cannot pass without running them.
BROWSER_REQUIRED = os.environ.get("RECOVERYLINT_BROWSER_TESTS") == "required"


def need(available: bool, what: str) -> None:
    if not available:
        message = f"{what} is not installed (.ci/run installs it)"
        if BROWSER_REQUIRED:
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, headless, driven by Playwright; flags as the machine
    notes say (no background networking on a closed network)."""
    need(CHROMIUM.exists(), f"Chromium ({CHROMIUM})")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        need(False, "playwright")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield launched
        launched.close()


@pytest.fixture
def page(browser):
    context = browser.new_context()
    opened = context.new_page()
    yield opened
    context.close()


@pytest.fixture(scope="session")
def mermaid_js() -> Path:
    need(MERMAID_JS.exists(), "the mermaid npm package (tests/js)")
    return MERMAID_JS


@pytest.fixture(autouse=True)
def _cache_outside_the_checkout(tmp_path_factory, monkeypatch):
    """`check` caches results in the working directory by default: each test
    keeps its own in a temporary folder, never in the repository, and never
    gets a result an earlier test (maybe with patched code) stored."""
    monkeypatch.setenv("RECOVERYLINT_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
