"""Browser fixtures, reusable by every page's browser test:

    def test_something(page, app_url):
        open_page(page, app_url, "门店日报_Store_daily", dealer="D001")
        ...

`app_url` is a running `streamlit run app.py` on a free localhost port over the
fixture database (`browser_db`); `page` is a fresh chromium tab (1440×900)
that `open_page` signs in as the network (manufacturer) account;
`signed_in_page("network" | "region" | "dealer")` gives a tab signed in as that
role's fixture account (tests/fixture_db.py FIXTURE_ACCOUNTS), and
`anonymous_page` one that never signs in.
A missing chromium fails the tests with how to install it; nothing is skipped.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.harness import (
    ARTIFACTS, CHROMIUM_ARGS, free_port, record_frames, remember_account, require_chromium, start_app,  # noqa: F401
    wait_healthy, wait_ready,
)
from tests.fixture_db import FIXTURE_ACCOUNTS, FIXTURE_PASSWORD, build_fixture_db


@pytest.fixture(scope="session")
def browser_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_fixture_db(tmp_path_factory.mktemp("browser_db") / "fixture.duckdb")


@pytest.fixture(scope="session")
def app_url(browser_db: Path):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    port = free_port()
    proc = start_app(browser_db, port, ARTIFACTS / "streamlit.log")
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, proc)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except Exception:
            proc.kill()


@pytest.fixture(scope="session")
def browser():
    try:
        executable = require_chromium()
    except RuntimeError as missing:
        pytest.fail(str(missing), pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def anonymous_page(browser):
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    tab = context.new_page()
    tab.set_default_timeout(30_000)
    record_frames(tab)
    yield tab
    context.close()


@pytest.fixture
def signed_in_page(browser):
    """A factory: signed_in_page(role) is a fresh tab that signs in as that role."""
    contexts = []

    def open_as(role: str):
        context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
        contexts.append(context)
        tab = context.new_page()
        tab.set_default_timeout(30_000)
        record_frames(tab)
        remember_account(tab, FIXTURE_ACCOUNTS[role][0], FIXTURE_PASSWORD)
        return tab

    yield open_as
    for context in contexts:
        context.close()


@pytest.fixture
def page(signed_in_page):
    return signed_in_page("network")
