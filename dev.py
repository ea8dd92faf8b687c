#!/usr/bin/env python3
"""The two commands of the README, on a machine that has only python3.

    python3 dev.py start   # the dashboard on the demo database (built on first run)
    python3 dev.py test    # every test, browser tests included

Both create the virtual environment in .venv and install requirements.txt into it
when it is missing or requirements.txt changed. `test` also installs Debian's
chromium and fonts-noto-cjk (browser tests; Chinese shows as boxes without the
fonts) when they are missing. Only the standard library is used here.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
PYTHON = VENV / "bin" / "python"
REQUIREMENTS = ROOT / "requirements.txt"
# Written after a successful install: the requirements it installed.
INSTALLED_MARKER = VENV / ".requirements.sha256"
BROWSER = Path("/usr/bin/chromium")
CJK_FONT_DIR = Path("/usr/share/fonts/opentype/noto")


def say(message: str) -> None:
    print(f"[dev] {message}", flush=True)


def run(*command: str | Path, env: dict[str, str] | None = None) -> None:
    subprocess.run([str(c) for c in command], check=True, cwd=ROOT, env=env)


def apt_install(*packages: str) -> None:
    """Install Debian packages, as root or through sudo."""
    if shutil.which("apt-get") is None:
        sys.exit(f"[dev] please install {' '.join(packages)} (no apt-get on this machine)")
    prefix: list[str] = [] if os.geteuid() == 0 else ["sudo"]
    if prefix and shutil.which("sudo") is None:
        sys.exit(f"[dev] please install {' '.join(packages)} as root: apt-get install {' '.join(packages)}")
    say(f"installing {' '.join(packages)} from Debian's packages")
    run(*prefix, "apt-get", "update", "-qq")
    run(*prefix, "apt-get", "install", "-y", "-qq", "--no-install-recommends", *packages,
        env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})


def ensure_environment() -> None:
    wanted = hashlib.sha256(REQUIREMENTS.read_bytes()).hexdigest()
    if PYTHON.exists() and INSTALLED_MARKER.exists() and INSTALLED_MARKER.read_text().strip() == wanted:
        return
    if not PYTHON.exists():
        say("creating the virtual environment in .venv")
        try:
            run(sys.executable, "-m", "venv", VENV)
        except subprocess.CalledProcessError:
            # Debian's python3 ships venv without ensurepip in a separate package.
            shutil.rmtree(VENV, ignore_errors=True)
            apt_install(f"python3.{sys.version_info.minor}-venv")
            run(sys.executable, "-m", "venv", VENV)
    say("installing requirements.txt (first run, or it changed)")
    run(PYTHON, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-r", REQUIREMENTS)
    INSTALLED_MARKER.write_text(wanted)


def ensure_browser() -> None:
    missing = []
    if not BROWSER.exists():
        missing.append("chromium")
    if not CJK_FONT_DIR.exists() or not any(CJK_FONT_DIR.glob("NotoSansCJK*")):
        missing.append("fonts-noto-cjk")
    if missing:
        apt_install(*missing)


def start(extra: list[str]) -> None:
    ensure_environment()
    os.chdir(ROOT)
    os.execv(str(PYTHON), [str(PYTHON), "-m", "streamlit", "run", "app.py", *extra])


def test(extra: list[str]) -> None:
    ensure_environment()
    ensure_browser()
    os.chdir(ROOT)
    os.execv(str(PYTHON), [str(PYTHON), "-m", "pytest", "tests", *extra])


COMMANDS = {"start": start, "test": test}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        sys.exit(f"usage: python3 dev.py {{{'|'.join(COMMANDS)}}} [arguments for streamlit or pytest]")
    COMMANDS[sys.argv[1]](sys.argv[2:])
