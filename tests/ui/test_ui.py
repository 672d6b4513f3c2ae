"""The web UI in a real Chromium against a real server: sign-in, live sessions, live mail."""

from __future__ import annotations

import http.server
import re
import threading
from collections.abc import Callable, Iterator
from email.message import EmailMessage
from typing import Any, ClassVar

import httpx
import pytest

from tests.helpers import otp_email, send
from tests.servers import RunningServer
from tests.ui.helpers import TIMEOUT_MS, client, sign_in

expect: Any
try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixture skips (or fails under CI) with the reason
    expect = None


def test_page_is_served_with_a_strict_policy_and_the_api_is_untouched(
    ui_server: RunningServer,
) -> None:
    page = httpx.get(ui_server.base_url + "/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "default-src 'none'" in csp
    assert "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    assert "<script>" not in page.text  # the only script is the module file
    assert (
        httpx.get(ui_server.base_url + "/ui/app.js")
        .headers["content-type"]
        .startswith("text/javascript")
    )
    assert httpx.get(ui_server.base_url + "/ui/nope.js").status_code == 404
    assert httpx.get(ui_server.base_url + "/ui/..%2Fapp.py").status_code == 404
    assert httpx.get(ui_server.base_url + "/healthz").json()["status"] == "ok"
    assert httpx.get(ui_server.base_url + "/openapi.json").status_code == 200
    assert httpx.get(ui_server.base_url + "/api/v1/sessions").status_code == 401


def test_last_events_are_the_callers_only(server: RunningServer) -> None:
    """The sessions page's one extra endpoint, on SQLite and PostgreSQL (no browser)."""
    mine, theirs = (
        client(server, server.key("ui-le-a")),
        client(server, server.key("ui-le-b")),
    )
    a = mine.post("/api/v1/sessions", json={"name": "a"}).json()["id"]
    b = theirs.post("/api/v1/sessions", json={"name": "b"}).json()["id"]
    mine.post("/api/v1/inboxes", json={"session_id": a})
    found = mine.get("/ui/api/last-events", params={"session_id": [a, b, "sess_nope"]})
    assert found.status_code == 200
    assert found.json()["data"] == {
        a: {
            "seq": 2,
            "type": "inbox.created",
            "description": "Inbox added to session",
            "timestamp": found.json()["data"][a]["timestamp"],
        }
    }
    too_many = mine.get("/ui/api/last-events", params={"session_id": [a] * 101})
    assert too_many.status_code == 400, too_many.text
    assert mine.get("/ui/api/last-events").status_code == 400
    assert httpx.get(server.base_url + "/ui/api/last-events?session_id=x").status_code == 401


def test_sign_in_then_a_new_session_appears_live(
    browser: Any, ui_server: RunningServer, shot: Callable[[Any, str], Any]
) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(ui_server.base_url + "/")
    expect(page.get_by_role("heading", name="Waypost")).to_be_visible()
    key_field = page.get_by_label("API key")
    assert key_field.get_attribute("type") == "password"
    shot(page, "sign-in")
    key_field.fill("wp_not_a_real_key")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#sign-in-error")).to_have_text("That key is not valid.")

    key = ui_server.key("ui-list")
    api = client(ui_server, key)
    for name in ("checkout flow", "password reset"):
        api.post("/api/v1/sessions", json={"name": name})
    key_field.fill(key)
    page.get_by_role("button", name="Sign in").click()
    rows = page.locator("#sessions-body tr")
    expect(rows).to_have_count(2)
    assert key not in page.url
    assert page.evaluate("sessionStorage.getItem('waypost.key')") == key

    made = api.post("/api/v1/sessions", json={"name": "signup at acme"}).json()
    expect(page.locator(f'#sessions-body tr[data-id="{made["id"]}"]')).to_contain_text(
        "signup at acme"
    )  # polled in, no reload
    expect(rows).to_have_count(3)
    api.post(f"/api/v1/sessions/{made['id']}/complete", json={"reason": "done"})
    expect(page.locator(f'tr[data-id="{made["id"]}"] .last-event')).to_contain_text(
        "Session marked as done"
    )
    page.get_by_label("Status").select_option("completed")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("completed")
    page.get_by_label("Status").select_option("")
    expect(rows).to_have_count(3)
    shot(page, "sessions")
    context.close()


def test_an_email_arrives_live_and_its_code_is_shown(
    browser: Any, ui_server: RunningServer, shot: Callable[[Any, str], Any]
) -> None:
    page, key = sign_in(browser, ui_server, "ui-mail")
    api = client(ui_server, key)
    session = api.post("/api/v1/sessions", json={"name": "sign up at Acme"}).json()
    inbox = api.post("/api/v1/inboxes", json={"session_id": session["id"]}).json()
    api.post("/api/v1/waits", json={"inbox_id": inbox["id"], "type": "otp", "timeout_seconds": 300})
    page.get_by_role("link", name="sign up at Acme").click()
    expect(page.locator("#stream-state")).to_have_text("live")
    expect(page.locator("#waits .countdown")).to_have_text(re.compile(r"^[45]:\d\d$"))
    expect(page.locator("#mail")).to_contain_text("No mail yet.")

    send(ui_server, inbox["email_address"], otp_email(inbox["email_address"], code="482915"))
    expect(page.locator("#timeline")).to_contain_text("Email arrived in session inbox")
    expect(page.locator("#mail .emails li")).to_contain_text("Your Acme verification code")
    expect(page.locator("#waits code.value")).to_have_text("482915")
    expect(page.locator("#mail .code-chip")).to_have_text("482915")
    expect(page.locator("#timeline")).to_contain_text("Wait finished successfully")
    # an event's data on demand
    received = page.locator('#timeline li[data-type="email.received"] details')
    received.locator("summary").click()
    expect(received.locator("pre")).to_contain_text('"subject": "Your Acme verification code"')
    shot(page, "session-timeline")
    expect(page.locator("#replay")).to_be_hidden()  # still running: no replay yet
    api.post(f"/api/v1/sessions/{session['id']}/complete", json={"reason": "signed up"})
    steps = page.locator("#replay-steps > li")
    expect(steps.filter(has_text="Email arrived in session inbox")).to_have_count(1)
    expect(steps.last).to_contain_text("Session marked as done")
    expect(page.locator("h1 .badge-completed")).to_be_visible()
    steps.filter(has_text="Wait finished successfully").locator("summary").click()
    expect(steps.filter(has_text="Wait finished successfully").locator("pre").last).to_contain_text(
        "482915"
    )

    page.locator("#mail .emails a").first.click()
    expect(page.locator("#email-subject")).to_have_text("Your Acme verification code")
    expect(page.locator("#email-extraction .extracted-value")).to_have_text("482915")
    expect(page.locator("#email-text mark")).to_have_text("482915")
    page.get_by_role("tab", name="Headers").click()
    expect(page.locator("#panel-headers")).to_contain_text("Subject")
    page.get_by_role("tab", name="Raw").click()
    expect(page.locator("#email-raw")).to_contain_text("Your verification code is:")
    page.get_by_role("tab", name="Text").click()
    shot(page, "email-extraction")
    page.context.close()


class _Counter(http.server.BaseHTTPRequestHandler):
    hits: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        self.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/gif")
        self.end_headers()
        self.wfile.write(b"GIF89a")

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def remote() -> Iterator[tuple[str, list[str]]]:
    """A real "remote" HTTP server that records every request (tracking pixels, beacons)."""
    _Counter.hits = []
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Counter)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", _Counter.hits
    finally:
        httpd.shutdown()
        thread.join(5)


def html_mail(to: str, remote: str) -> bytes:
    msg = EmailMessage()
    msg["From"] = "Acme <hello@acme.test>"
    msg["To"] = to
    msg["Subject"] = "Welcome to Acme"
    msg.set_content("Welcome to Acme. Your sign-in code is 615243.")
    msg.add_alternative(
        "<html><head><title>mail</title></head><body>"
        '<h2 style="color:#1f5f8b">Welcome to Acme</h2>'
        "<p>Your sign-in code is <b>615243</b>.</p>"
        f'<img src="{remote}/pixel.gif" alt="tracker">'
        '<script>document.title = "pwned"; parent.postMessage("script", "*");'
        f'fetch("{remote}/script");</script>'
        "<img src=\"x\" onerror=\"parent.postMessage('onerror', '*')\">"
        "<p>Thanks, the Acme team</p></body></html>",
        subtype="html",
    )
    msg.add_attachment(b"invoice body", maintype="text", subtype="plain", filename="invoice.txt")
    return msg.as_bytes()


def test_the_html_opens_without_running_scripts_or_loading_remote_images(
    browser: Any,
    ui_server: RunningServer,
    remote: tuple[str, list[str]],
    shot: Callable[[Any, str], Any],
) -> None:
    base, hits = remote
    page, key = sign_in(browser, ui_server, "ui-html")
    loaded: list[str] = []  # requests that got an answer (blocked ones fail before sending)
    page.on("requestfinished", lambda r: loaded.append(r.url))
    failed: list[str] = []
    page.on("requestfailed", lambda r: failed.append(f"{r.url} {r.failure}"))
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text))
    api = client(ui_server, key)
    inbox = api.post("/api/v1/inboxes", json={}).json()
    page.get_by_role("link", name="Inboxes").click()
    page.get_by_role("link", name=inbox["email_address"]).click()
    expect(page.locator("#emails-summary")).to_have_text("0 emails")
    page.evaluate("window.__seen = []; addEventListener('message', e => __seen.push(e.data))")
    send(ui_server, inbox["email_address"], html_mail(inbox["email_address"], base))
    link = page.get_by_role("link", name="Welcome to Acme")
    link.click()  # arrived live in the open inbox
    frame_el = page.locator("#email-html")
    assert frame_el.get_attribute("sandbox") == ""  # no allow-scripts, no allow-same-origin
    frame = page.frame_locator("#email-html")
    expect(frame.locator("h2")).to_have_text("Welcome to Acme")
    expect(frame.locator("p").first).to_contain_text("615243")
    page.get_by_role("button", name="Extract").click()
    expect(page.locator("#email-extraction .extracted-value")).to_have_text("615243")
    shot(page, "email")

    # even a script that got past the sanitiser would not run: the iframe is the guard
    page.evaluate(
        """([remote]) => { document.querySelector('#email-html').srcdoc =
          `<script>parent.postMessage('injected', '*')</scr` + `ipt>` +
          `<img src="${remote}/injected.gif">`; }""",
        [base],
    )
    page.wait_for_timeout(700)
    assert page.evaluate("window.__seen") == []
    assert any("Blocked script execution in 'about:srcdoc'" in m for m in console), console
    assert "pwned" not in page.title()
    assert hits == [], hits
    assert not [u for u in loaded if u.startswith(base)], loaded
    assert all(f.endswith(" csp") for f in failed if f.startswith(base)), failed

    page.get_by_role("tab", name="Text").click()
    expect(page.locator("#email-text mark")).to_have_text("615243")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download invoice.txt").click()
    path = download.value.path()
    assert path is not None and open(path, "rb").read() == b"invoice body"
    page.context.close()
