#!/usr/bin/env python3
"""The dashboard in a real browser: Debian's Chromium driven by Playwright for Python.

Starts the built `quaero serve --port 0` on a temporary database and a small local site, then, as a person
would: starts a crawl of the site from the form, watches its progress and log lines arrive without a reload,
cancels it, reruns it, requeues a dead letter, searches a document, switches the theme, and opens every page.
No page may log a console error. A screenshot of each page goes to $DASHBOARD_SCREENSHOTS (docs/screenshots
holds the README's).

scripts/browser-deps installs Chromium and the pinned Playwright; scripts/test runs this after `swift test`.
Never `playwright install`: it downloads a browser of its own. Everything runs in a network namespace with
only loopback up (Tests/support/loopback.py), so neither the crawl nor the browser reaches another host.
"""

import os
import re
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "support"))
import loopback  # noqa: E402
import serve  # noqa: E402

# The Playwright for Python that scripts/browser-deps installs; its API is what this test is written against.
PLAYWRIGHT_VERSION = "1.65.2"
CHROMIUM = os.environ.get("DASHBOARD_CHROMIUM", "/usr/bin/chromium")
# Pages of the local site, each served slowly enough that the crawl is still running when it is watched.
SITE_PAGES = 40
PAGE_DELAY = 0.25
# How long one step may take at most (the machine is shared and slow).
STEP = 30_000


class Site(BaseHTTPRequestHandler):
    """The local site: an index linking to pages about quokkas, and a page that fails (503) once."""
    flaky_hits = 0
    lock = threading.Lock()

    def do_GET(self):
        if self.path == "/":
            links = "".join(f'<li><a href="/p/{n}">page {n}</a></li>' for n in range(SITE_PAGES))
            return self.page("Index", f"<ul>{links}</ul>")
        match = re.fullmatch(r"/p/(\d+)", self.path)
        if match:
            time.sleep(PAGE_DELAY)
            n = match.group(1)
            return self.page(f"Page {n}", f"<p>The quokka number {n} lives on Rottnest Island.</p>")
        if self.path == "/flaky":
            with Site.lock:
                Site.flaky_hits += 1
                first = Site.flaky_hits == 1
            if first:
                self.send_response(503)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return None
            return self.page("Flaky", "<p>A wombat, at the second try.</p>")
        self.send_response(404)
        self.send_header("Content-Length", "0")
        self.end_headers()
        return None

    def page(self, title: str, body: str):
        data = f"<!doctype html><html><head><title>{title}</title></head><body><h1>{title}</h1>{body}</body></html>".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


class SiteServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        # A cancelled crawl hangs up on pages it no longer wants: not an error of the site.
        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            super().handle_error(request, client_address)


class Check:
    """Counts the checks; a failed one is reported and the run goes on where it can."""

    def __init__(self):
        self.passed = 0
        self.failed = 0

    def __call__(self, ok: bool, what: str):
        if ok:
            self.passed += 1
        else:
            self.failed += 1
            print(f"FAILED: {what}")


def main() -> int:
    if not loopback.isolate(__file__):
        print("dashboard_test: no network namespace could be made; the browser and the crawl stay on 127.0.0.1 anyway")
    from importlib import metadata
    if metadata.version("playwright") != PLAYWRIGHT_VERSION:
        sys.exit(f"dashboard_test: needs playwright {PLAYWRIGHT_VERSION}; scripts/browser-deps installs it")
    from playwright.sync_api import sync_playwright

    check = Check()
    site = SiteServer(("127.0.0.1", 0), Site)
    threading.Thread(target=site.serve_forever, daemon=True).start()
    site_url = f"http://127.0.0.1:{site.server_address[1]}"
    shots = os.environ.get("DASHBOARD_SCREENSHOTS") or tempfile.mkdtemp(prefix="quaero-dashboard-shots-")
    os.makedirs(shots, exist_ok=True)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="quaero-dashboard-") as work:
        # max_receive 1: the page that fails once becomes a dead letter at once.
        server, log_path, port = serve.start(serve.quaero_binary("DASHBOARD_TEST_BIN"), work, QUAERO_QUEUE_MAX_RECEIVE="1",
                                             QUAERO_QUEUE_SHUTDOWN_TIMEOUT="3s", QUAERO_CRAWLER_REQUEST_TIMEOUT="5s",
                                             QUAERO_LOGS_FLUSH_INTERVAL="100ms")
        try:
            base = f"http://127.0.0.1:{port}"
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
                try:
                    run(browser, base, site_url, shots, check)
                finally:
                    browser.close()
        except Exception as error:  # a step that could not go on: report it with the server's log
            check(False, f"the run stopped: {error!r}")
        finally:
            stopped = serve.stop(server)
            check(stopped == 0, f"quaero serve exits 0 on SIGTERM (got {stopped})")
            if check.failed:
                print("the server's log:\n" + serve.read_log(log_path)[-20000:])
    site.shutdown()
    print(f"dashboard_test: {time.monotonic() - started:.0f} s; screenshots in {shots}")
    print(f"browser: {check.passed} passed, {check.failed} failed")
    return 1 if check.failed else 0


def run(browser, base: str, site_url: str, shots: str, check: Check) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme="light")
    context.set_default_timeout(STEP)
    page = context.new_page()
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(f"{page.url}: {message.text}"))
    page.on("pageerror", lambda error: errors.append(f"{page.url}: {error}"))
    page.on("dialog", lambda dialog: dialog.accept())  # the confirmations of destructive actions

    def shot(name: str, whole: bool = False) -> None:
        # The job page whole: its tree, log and documents lie below the first screen.
        page.screenshot(path=os.path.join(shots, f"{name}.png"), full_page=whole)

    # Start a crawl from the form; submitting opens the job's live page.
    page.goto(f"{base}/ui/jobs/new")
    page.fill("#f-urls", f"{site_url}/")
    page.fill("#f-max_depth", "1")
    page.fill("#f-max_pages", str(SITE_PAGES + 1))
    shot("start-a-job")
    page.click("button.primary")
    page.wait_for_url(re.compile(r"/ui/jobs/[0-9a-z]{26}\?done=created$"))
    crawl_url = page.url.split("?")[0]
    check("job was created" in page.content(), "the new job's page says it was created")
    page.wait_for_selector("#live[data-state=live]")

    # Progress and log lines arrive without a reload: a mark set on the page now survives until they do.
    page.evaluate("window.quaeroMark = 1")
    lines_before = page.locator("#log li").count()
    progress = page.locator("#job-facts progress")
    until(page, lambda: progress.count() > 0 and float(progress.get_attribute("value") or 0) > 0, "the crawl's progress moves")
    until(page, lambda: page.locator("#log li").count() > lines_before, "log lines arrive")
    check(page.evaluate("window.quaeroMark") == 1, "progress and log lines arrived without a reload")
    check(page.locator("#job-status").inner_text().strip() == "running", "the crawl runs while it is watched")
    shot("job", whole=True)

    # Cancel it (the confirmation is accepted), then rerun it.
    page.click("#job-actions button:text('Cancel')")
    page.wait_for_url(re.compile(r"\?done=cancelled$"))
    check(page.locator("#job-status").inner_text().strip() == "cancelled", "the cancelled crawl shows as cancelled")
    page.click("#job-actions button:text('Rerun')")
    page.wait_for_url(re.compile(r"\?done=rerun$"))
    check(page.url.split("?")[0] != crawl_url, "the rerun is a new job")
    until(page, lambda: page.locator("#job-status").inner_text().strip() == "completed", "the rerun completes", seconds=90)
    check(page.locator("#log li").count() > 0, "the rerun's log is shown")

    # A page that fails once becomes a dead letter (max_receive 1); requeue it and its job completes.
    page.goto(f"{base}/ui/jobs/new")
    page.fill("#f-urls", f"{site_url}/flaky")
    page.fill("#f-max_depth", "0")
    page.click("button.primary")
    page.wait_for_url(re.compile(r"\?done=created$"))
    deadline = time.monotonic() + STEP / 1000
    while time.monotonic() < deadline:
        page.goto(f"{base}/ui/dead")
        if page.locator("button[name=one]").count() > 0:
            break
        page.wait_for_timeout(250)
    check("503" in page.locator("table").inner_text(), "the dead letter shows its error")
    shot("dead-letters")
    page_job = page.locator("tbody tr").first.locator("a.mono").get_attribute("href")
    page.click("button[name=one]")
    page.wait_for_url(re.compile(r"/ui/dead\?done=requeued$"))
    check(page.locator("button[name=one]").count() == 0, "the requeued dead letter left the list")
    # Its page job runs again and completes (its crawl stays failed: the engine revives the job of the
    # message, not a parent that already ended).
    page.goto(f"{base}{page_job}")
    until(page, lambda: page.locator("#job-status").inner_text().strip() == "completed",
          "the requeued page job completes (live, without a reload)")

    # The documents the crawl stored: a search with highlighted words.
    page.goto(f"{base}/ui/documents")
    page.fill("input[type=search]", "quokka")
    page.press("input[type=search]", "Enter")
    page.wait_for_selector("mark")
    check(page.locator("mark").first.inner_text().lower() == "quokka", "the search highlights the word")
    shot("documents")

    # Every other page, each with its screenshot.
    for name, path in [("overview", "/ui"), ("jobs", "/ui/jobs"), ("queue", "/ui/queue"), ("settings", "/ui/settings")]:
        response = page.goto(f"{base}{path}")
        check(response is not None and response.status == 200, f"{path} answers 200")
        shot(name)

    # The theme switch: system, then dark, then light, remembered across pages.
    page.goto(f"{base}/ui")
    page.click("#theme")
    check(page.evaluate("document.documentElement.dataset.theme") == "dark", "the switch turns the theme dark")
    page.goto(f"{base}/ui/jobs")
    check(page.evaluate("document.documentElement.dataset.theme") == "dark", "the theme is remembered")
    shot("jobs-dark")
    page.click("#theme")
    check(page.evaluate("document.documentElement.dataset.theme") == "light", "the switch turns it light")

    check(not errors, "no console errors: " + "; ".join(errors))
    context.close()


def until(page, condition, what: str, seconds: float = STEP / 1000) -> None:
    """Polls `condition` (it reads the page through locators: the page's CSP forbids the string evaluation
    that `wait_for_function` needs) until it holds, or fails naming `what`."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"waited {seconds:.0f} s for: {what}")
        page.wait_for_timeout(100)


if __name__ == "__main__":
    sys.exit(main())
