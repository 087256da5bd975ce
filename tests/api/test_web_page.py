"""The web page in headless Chromium (Debian's, driven by Playwright): search, open a
report, see an authority's chart. Screenshots go to .artifacts/screenshots/."""

from __future__ import annotations

import contextlib
import hashlib
import re
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, Route, async_playwright, expect
from pydantic import SecretStr

from findings_api.settings import ApiSettings
from findings_shared.events import ReportParsed
from findings_shared.settings import DatabaseSettings
from tests.api.conftest import serving_api
from tests.api.test_hardening import point_at
from tests.api.test_queries import FILES as QUERY_FILES
from tests.api.test_queries import LEWISHAM_2019, SALFORD_2018
from tests.conftest import REPORTS

pytestmark = pytest.mark.integration
# The reports `stored` (tests/api/conftest.py) puts in each test's database.
FILES = QUERY_FILES

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
HAVE_CHROMIUM = Path(CHROMIUM).exists()
SCREENSHOTS = Path(__file__).parents[2] / ".artifacts" / "screenshots"


@pytest.fixture
async def site(
    stored: dict[str, ReportParsed], database_settings: DatabaseSettings
) -> AsyncIterator[str]:
    """The API and its page served over real HTTP on a free port."""
    async with serving_api(ApiSettings(database=database_settings)) as url:
        yield url


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    if not HAVE_CHROMIUM:
        pytest.fail("Debian's chromium is not installed: run `make setup`")
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
        )
        yield browser
        await browser.close()


@contextlib.asynccontextmanager
async def page_of(browser: Browser, name: str) -> AsyncIterator[Page]:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page = await browser.new_page(viewport={"width": 1100, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    # What the Content-Security-Policy blocks shows as a console error: none may show.
    page.on(
        "console",
        lambda message: (
            errors.append(message.text)
            if message.type == "error" and "Content Security Policy" in message.text
            else None
        ),
    )
    try:
        yield page
    finally:
        await page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)
        await page.close()
    assert errors == [], errors  # no JavaScript error on the page


async def test_search_then_open_a_report(
    stored: dict[str, ReportParsed], site: str, browser: Browser
) -> None:
    salford = stored[SALFORD_2018]
    async with page_of(browser, "search") as page:
        await page.goto(f"{site}/")
        await page.get_by_label("Search findings").fill("domestic abuse")
        await page.get_by_label("Local authority").fill("Salford")
        await page.get_by_role("button", name="Search").click()
        results = page.locator("#results li")
        await expect(results.first).to_be_visible()
        first_match = results.first.locator("mark").first
        await expect(first_match).to_have_text(re.compile("domestic|abuse", re.IGNORECASE))
        await expect(page.locator("#result-count")).to_contain_text("shown")
        await page.screenshot(path=SCREENSHOTS / "search-results.png")
        await results.first.get_by_role("link", name="ilacs inspection").click()
        await expect(page.get_by_role("heading", level=2)).to_have_text(salford.title or "")
        await expect(page.locator("table").first).to_contain_text("Overall effectiveness")
        sections = page.locator("section.findings h3")
        assert await sections.count() >= 3
        await expect(page.locator("section.findings")).to_contain_text(
            salford.findings[0].text[:60]
        )


async def test_an_authority_page_draws_its_grades_and_neighbours(
    stored: dict[str, ReportParsed], site: str, browser: Browser
) -> None:
    async with page_of(browser, "authority") as page:
        await page.goto(f"{site}/#/authorities/212")
        await expect(page.get_by_role("heading", level=2)).to_have_text("Wandsworth")
        chart = page.get_by_role("img")
        label = await chart.get_attribute("aria-label")
        assert label is not None
        assert "overall effectiveness Good" in label
        assert await page.locator("figure.chart circle").count() == 4  # four judgements, one report
        neighbours = page.locator("table", has_text="Statistical neighbours")
        lewisham_row = neighbours.locator("tr", has_text="Lewisham")
        await expect(lewisham_row).to_contain_text("Requires improvement")
        await page.screenshot(path=SCREENSHOTS / "authority-wandsworth.png")
        await lewisham_row.get_by_role("link", name="Lewisham").click()
        await expect(page.get_by_role("heading", level=2)).to_have_text("Lewisham")
        assert stored[LEWISHAM_2019].report_id in await page.content()


async def test_a_missing_report_says_so(site: str, browser: Browser) -> None:
    async with page_of(browser, "missing") as page:
        await page.goto(f"{site}/#/reports/{'0' * 64}")
        await expect(page.get_by_role("alert")).to_contain_text("No report")


async def test_with_read_keys_the_page_asks_for_a_key_and_keeps_it_for_the_session(
    stored: dict[str, ReportParsed],
    database_settings: DatabaseSettings,
    browser: Browser,
    tmp_path: Path,
) -> None:
    salford = stored[SALFORD_2018]
    original = (tmp_path / SALFORD_2018).resolve()
    original.write_bytes((REPORTS / SALFORD_2018).read_bytes())
    await point_at(database_settings, salford.report_id, original)
    settings = ApiSettings(database=database_settings, read_keys=[SecretStr("reader-key")])
    async with serving_api(settings) as url, page_of(browser, "read-key") as page:
        await page.goto(f"{url}/")
        await expect(page.get_by_role("alert")).to_contain_text("needs a key")
        await page.get_by_label("API key").fill("a guess")
        await page.get_by_role("button", name="Use this key").click()
        await expect(page.get_by_role("alert")).to_contain_text("not accepted")
        await page.get_by_label("API key").fill("reader-key")
        await page.get_by_role("button", name="Use this key").click()
        await expect(page.locator("#result-count")).to_contain_text("shown")
        await page.goto(f"{url}/#/reports/{salford.report_id}")
        await page.reload()  # the key is kept for the session
        await expect(page.get_by_role("heading", level=2)).to_have_text(salford.title or "")
        async with page.expect_download() as download_info:
            await page.get_by_role("link", name="the original file").click()
        download = await download_info.value
        path = await download.path()
        assert hashlib.sha256(path.read_bytes()).hexdigest() == salford.report_id


async def test_the_api_documentation_works_offline_under_its_policy(
    site: str, browser: Browser
) -> None:
    outside: list[str] = []
    async with page_of(browser, "docs") as page:

        async def only_this_site(route: Route) -> None:
            if route.request.url.startswith(site):
                await route.continue_()
            else:
                outside.append(route.request.url)
                await route.abort()

        await page.route("**/*", only_this_site)
        await page.goto(f"{site}/docs")
        await expect(page.locator(".swagger-ui .info .title")).to_contain_text("Findings API")
        await expect(page.locator(".opblock").first).to_be_visible()
    assert outside == []
