"""E2E fixtures: a real hypercorn server on a fresh SQLite database, driven by Debian's Chromium."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import Envelope
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser
from playwright.sync_api import BrowserContext
from playwright.sync_api import Locator
from playwright.sync_api import Page
from playwright.sync_api import expect

from tests.databases import POSTGRES_URL
from tests.databases import REDIS_URL
from tests.databases import create_scratch_database
from tests.databases import drop_scratch_database

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
CHROMIUM = "/usr/bin/chromium"
# Playwright cannot download its own browser here; Debian's needs these flags (stack-facts §8).
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_until_healthy(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited early:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=1) as response:  # noqa: S310 - our own loopback server
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"server did not become healthy:\n{log.read_text()}")


class Mailbox:
    """A real SMTP server on loopback that keeps what the app sends."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.port = 0

    async def handle_DATA(self, _server: object, _session: object, envelope: Envelope) -> str:  # noqa: N802 - aiosmtpd's hook name
        self.messages.append(message_from_bytes(envelope.content, policy=default_policy))  # type: ignore[arg-type]
        return "250 OK"

    def wait_for(self, to: str, subject: str, timeout: float = 10) -> EmailMessage:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for message in reversed(self.messages):
                if message["To"] == to and message["Subject"] == subject:
                    return message
            time.sleep(0.1)
        raise AssertionError(
            f"no email {subject!r} to {to}; got {[m['Subject'] for m in self.messages]}"
        )

    def link(self, to: str, subject: str) -> str:
        body = self.wait_for(to, subject).get_content()
        match = re.search(r"https?://\S+", body)
        assert match, body
        return match.group(0)


@pytest.fixture(scope="session")
def mailbox() -> Iterator[Mailbox]:
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=_free_port())
    controller.start()
    box.port = controller.port
    yield box
    controller.stop()


@pytest.fixture(scope="session")
def server_env(
    tmp_path_factory: pytest.TempPathFactory, mailbox: Mailbox
) -> Iterator[dict[str, str]]:
    """SQLite and one worker; with TEST_DATABASE_URL (CI's second pass) the scale-out shape:
    PostgreSQL, Redis and two hypercorn workers."""
    directory = tmp_path_factory.mktemp("live")
    port = _free_port()
    backend = "postgresql" if POSTGRES_URL.startswith("postgresql") else "sqlite"
    database_url = create_scratch_database(backend, directory)
    scale_out = {"WEB_CONCURRENCY": "2", "REDIS_URL": REDIS_URL} if backend == "postgresql" else {}
    yield {
        **os.environ,
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(mailbox.port),
        "APP_ENV": "development",
        "RATELIMIT_ENABLED": "0",
        "SECRET_KEY": "e2e-secret-key",
        "DATABASE_URL": database_url,
        "PORT": str(port),
        "BASE_URL": f"http://127.0.0.1:{port}",
        "LOG_DIR": str(directory / "logs"),
        "WEB_CONCURRENCY": "1",
        **scale_out,
    }
    drop_scratch_database(database_url)


@pytest.fixture(scope="session")
def live_server(
    server_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """Migrate, seed and serve exactly as `make run` does, on a port of its own."""
    for command in ("migrate", "seed-demo"):
        subprocess.run(
            [str(BIN / "hyperquiz"), command],
            env=server_env,
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
    url = server_env["BASE_URL"]
    log = tmp_path_factory.mktemp("server") / "hypercorn.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [
                str(BIN / "hypercorn"),
                "--bind",
                url.removeprefix("http://"),
                "--workers",
                server_env["WEB_CONCURRENCY"],
                "web.asgi:app",
            ],
            env=server_env,
            cwd=ROOT,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_until_healthy(url, process, log)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="session")
def base_url(live_server: str) -> str:
    return live_server


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture
def console_errors(page: Page) -> list[str]:
    """Console errors seen by the page: a CSP violation or a script failure shows up here."""
    errors: list[str] = []
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


# Records every CSP refusal from the document's first byte (an init script runs before the
# page's own scripts, on every load): `page.add_init_script(RECORD_CSP_VIOLATIONS)`, then
# `page.evaluate("window.__cspViolations")`.
RECORD_CSP_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(
    `${event.violatedDirective} ${event.sourceFile}:${event.lineNumber} ${event.sample}`);
});
"""


@pytest.fixture
def no_js_page(browser: Browser, base_url: str) -> Iterator[Page]:
    context: BrowserContext = browser.new_context(java_script_enabled=False, base_url=base_url)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture(scope="session")
def axe() -> Axe:
    return Axe()


def assert_accessible(axe: Axe, page: Page) -> None:
    results = axe.run(page)
    assert results.violations_count == 0, results.generate_report()


def tab_to(page: Page, locator: Locator, limit: int = 40) -> None:
    """Press Tab until the locator has focus: proves it is reachable by keyboard alone."""
    for _ in range(limit):
        if locator.evaluate("element => element === document.activeElement"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{locator} not reachable with Tab in {limit} presses")


@dataclass(frozen=True)
class Account:
    username: str
    email: str
    password: str


def sign_up(page: Page, mailbox: Mailbox, prefix: str = "player") -> Account:
    """A fresh, verified account made through the real pages; the tests' own isolation."""
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    account = Account(name, f"{name}@example.com", "Quiz1234pass")
    page.goto("/auth/register")
    page.get_by_label("Username").fill(account.username)
    page.get_by_label("Email").fill(account.email)
    page.get_by_label("Password", exact=True).fill(account.password)
    page.get_by_label("Confirm password").fill(account.password)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    page.goto(mailbox.link(account.email, "Verify your email"))
    page.get_by_role("button", name="Verify email").click()  # opening the link verifies nothing
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    return account


def log_in_by_keyboard(page: Page, account: Account) -> None:
    page.goto("/auth/login")
    tab_to(page, page.get_by_label("Username or email"))
    page.keyboard.type(account.username)
    page.keyboard.press("Tab")
    page.keyboard.type(account.password)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name=f"Hello, {account.username}")).to_be_visible()
