"""Driving the real app in Debian's chromium: start `streamlit run`, wait for a
page to finish, take screenshots. Used by tests/browser/conftest.py and by any
page's browser test.

Streamlit draws stale content while a script reruns; a page is read only when
the app says the script is not running and no skeleton placeholder is left.

Every page asks for sign-in first, and every `page.goto` is a new session: a tab
given an account with `remember_account` signs in with it whenever `open_page`
meets the sign-in form (the URL's parameters survive the sign-in, as they do for
a person opening a link).
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import weakref
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-quic",
]
READY_SELECTOR = "[data-test-script-state='notRunning']"
SIGN_IN_FORM = "[data-testid='stForm']:has(input[type='password'])"
SIGNED_IN_MARK = ".st-key-sign_out_button"
_ACCOUNTS: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()
_FRAMES: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def require_chromium() -> str:
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        raise RuntimeError(
            f"Browser tests need Debian's chromium at {CHROMIUM}: install it with "
            "`apt-get install chromium fonts-noto-cjk` (the project's test command does)."
        )
    return CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_app(db_path: Path, port: int, log_path: Path) -> subprocess.Popen:
    env = {**os.environ, "AFTERSALES_DB": str(db_path), "PYTHONPATH": str(ROOT)}
    log = open(log_path, "w")
    return subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"),
         "--server.port", str(port), "--server.address", "127.0.0.1",
         "--server.headless", "true", "--global.developmentMode", "false",
         "--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )


def wait_healthy(url: str, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with code {proc.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise TimeoutError(f"streamlit did not become healthy at {url} within {timeout} s")


def wait_ready(page, timeout: float = 30_000) -> None:
    """Wait until the script run has finished and every placeholder is drawn."""
    page.wait_for_selector(READY_SELECTOR, state="attached", timeout=timeout)
    page.wait_for_function(
        """() => document.querySelector("[data-test-script-state='notRunning']")
                 && !document.querySelector("[data-testid='stSkeleton']")""",
        timeout=timeout,
    )
    # A rerun can start right after a widget event; give it a beat and re-check.
    page.wait_for_timeout(300)
    page.wait_for_selector(READY_SELECTOR, state="attached", timeout=timeout)


def record_frames(page) -> None:
    """Keep every websocket message the app sends this tab. Tables and charts are
    drawn on canvas, so the page's text does not show their cells; the messages
    carry everything the browser was given, table cells included."""
    frames: list[bytes] = []
    _FRAMES[page] = frames

    def on_websocket(socket) -> None:
        socket.on("framereceived", lambda payload: frames.append(
            payload if isinstance(payload, bytes) else payload.encode("utf-8")))

    page.on("websocket", on_websocket)


def received_from_app(page) -> bytes:
    """All the app sent this tab since `record_frames`."""
    return b"".join(_FRAMES.get(page, []))


def remember_account(page, username: str, password: str) -> None:
    """Let `open_page` sign this tab in as that user whenever it is asked to."""
    _ACCOUNTS[page] = (username, password)


def sign_in(page, username: str, password: str, *, expect_success: bool = True) -> None:
    """Fill in and send the sign-in form on the page now showing."""
    form = page.locator(SIGN_IN_FORM)
    form.locator("input[type='text'], input:not([type])").first.fill(username)
    form.locator("input[type='password']").fill(password)
    form.locator("[data-testid='stBaseButton-primaryFormSubmit']").click()
    if expect_success:
        page.wait_for_selector(SIGNED_IN_MARK, state="attached")
    wait_ready(page)


def open_page(page, app_url: str, path: str = "", **query: str) -> None:
    """Open a page by its URL path (e.g. "门店日报_Store_daily") with query params,
    signing in first if the tab has an account and the app asks for it."""
    url = f"{app_url}/{path}" + (f"?{urlencode(query)}" if query else "")
    page.goto(url)
    wait_ready(page)
    account = _ACCOUNTS.get(page)
    if account and page.locator(SIGN_IN_FORM).count():
        sign_in(page, *account)


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
