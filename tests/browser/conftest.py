"""Playwright driving Debian's chromium (never a downloaded browser) against live_server."""

import os
import shutil
from pathlib import Path
from urllib.parse import urlparse

import pytest

CHROMIUM = os.environ.get("KEFU_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

# Playwright's sync API runs an event loop in this thread; Django's ORM calls in the same test
# are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config, items):
    if Path(CHROMIUM).exists() or shutil.which("chromium"):
        return
    if os.environ.get("CI") == "true":
        raise pytest.UsageError(f"CI=true and no browser at {CHROMIUM}: install Debian's chromium")
    skip = pytest.mark.skip(reason="Debian's chromium is not installed: apt-get install chromium fonts-noto-cjk")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def outside_requests():
    """URLs the page asked for outside 127.0.0.1: must stay empty (no CDN, vendored assets)."""
    return []


@pytest.fixture
def csp_violations():
    """What the browser refused under the Content-Security-Policy (issue 13 §5), as its console
    reports it: every browser test ends with none, whatever pages it visited."""
    return []


def _watch_csp(page, violations: list) -> None:
    page.on(
        "console",
        lambda m: m.type == "error" and "Content Security Policy" in m.text and violations.append(m.text),
    )


@pytest.fixture
def page(browser, outside_requests, csp_violations):
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 1280, "height": 800})
    page = context.new_page()
    _watch_csp(page, csp_violations)

    def check(request):
        url = urlparse(request.url)
        if url.scheme in {"data", "blob", "about"}:
            return
        if url.hostname not in {"127.0.0.1", "localhost"}:
            outside_requests.append(request.url)

    page.on("request", check)
    page.set_default_timeout(15_000)
    yield page
    context.close()
    assert csp_violations == [], csp_violations


@pytest.fixture
def phone_page(browser, outside_requests, csp_violations):
    context = browser.new_context(
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        viewport={"width": 375, "height": 812},
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
    )
    page = context.new_page()
    _watch_csp(page, csp_violations)
    page.on(
        "request",
        lambda r: urlparse(r.url).hostname not in {None, "127.0.0.1", "localhost"} and outside_requests.append(r.url),
    )
    page.set_default_timeout(15_000)
    yield page
    context.close()
    assert csp_violations == [], csp_violations


@pytest.fixture
def screenshot():
    """screenshot(page, "name") saves test-artifacts/name.png and returns its path."""
    ARTIFACTS.mkdir(exist_ok=True)

    def take(page, name: str) -> Path:
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


def login(page, live_server, username: str, password: str = "kefu2026") -> None:
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
