"""The web page in headless Chromium (Debian's, driven by Playwright): England's map, an
authority at a glance, search with counts, a report, themes over time; at desktop and phone
width, with axe-core's accessibility rules and the keyboard. Screenshots go to
.artifacts/screenshots/ (`make screenshots` copies them to docs/img)."""

from __future__ import annotations

import asyncio
import contextlib
import csv
import hashlib
import io
import re
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from axe_playwright_python.async_playwright import Axe
from playwright.async_api import Browser, Page, Route, async_playwright, expect
from pydantic import SecretStr

from findings_api.settings import ApiSettings
from findings_shared.events import ReportParsed
from findings_shared.local_authorities import current_local_authorities
from findings_shared.settings import DatabaseSettings
from tests.api.conftest import serving_api
from tests.api.test_hardening import point_at
from tests.api.test_queries import FILES as QUERY_FILES
from tests.api.test_queries import LEWISHAM_2019, SALFORD_2018
from tests.api.test_recurring import WOKINGHAM
from tests.conftest import REPORTS

pytestmark = pytest.mark.integration
# The reports `stored` (tests/api/conftest.py) puts in each test's database: Wokingham's
# first and last, whose weaknesses recur.
FILES = [*QUERY_FILES, WOKINGHAM[0], WOKINGHAM[2]]

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
HAVE_CHROMIUM = Path(CHROMIUM).exists()
SCREENSHOTS = Path(__file__).parents[2] / ".artifacts" / "screenshots"
DESKTOP = {"width": 1200, "height": 900}
PHONE = {"width": 390, "height": 844}
# axe-core's impacts that fail a page (WCAG 2.1 AA and best practice rules).
FAILING_IMPACTS = {"serious", "critical"}


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
async def page_of(
    browser: Browser, name: str, viewport: dict[str, int] | None = None
) -> AsyncIterator[Page]:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page = await browser.new_page(viewport=viewport or DESKTOP)  # type: ignore[arg-type]
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


async def accessibility_violations(page: Page) -> list[str]:
    """axe-core's serious and critical violations on the page as it is now."""
    results = await Axe().run(page)
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']}: "
        + "; ".join(node["target"][0] for node in violation["nodes"][:3])
        for violation in results.response["violations"]
        if violation["impact"] in FAILING_IMPACTS
    ]


async def with_original(
    database_settings: DatabaseSettings, folder: Path, report: ReportParsed, name: str
) -> None:
    """The report's original file where its stored object URI says it is."""
    original = (folder / name).resolve()
    original.write_bytes((REPORTS / name).read_bytes())
    await point_at(database_settings, report.report_id, original)


async def api_json(site: str, path: str, **params: str) -> object:
    async with httpx.AsyncClient(base_url=site) as client:
        response = await client.get(path, params=params)
    assert response.status_code == 200, response.text
    return response.json()


async def test_home_is_a_map_of_england_coloured_by_grade_that_the_keyboard_can_use(
    stored: dict[str, ReportParsed], site: str, browser: Browser
) -> None:
    authorities = current_local_authorities()
    glance = await api_json(site, "/summary/authorities")
    assert isinstance(glance, list)
    wandsworth = next(a for a in glance if a["la_code"] == "212")
    overall = wandsworth["latest"]["grades"]["overall_effectiveness"]
    async with page_of(browser, "home-other-colourings") as page:
        await page.goto(f"{site}/")
        await expect(page.get_by_role("heading", level=1)).to_have_text("England at a glance")
        hexes = page.locator("svg.hexmap [data-ons-code]")
        await expect(hexes).to_have_count(len(authorities))
        codes = await hexes.evaluate_all("(cells) => cells.map((c) => c.dataset.onsCode)")
        assert sorted(codes) == sorted(a.ons_code for a in authorities)
        # Coloured from Ofsted's published tables too: most authorities have a grade.
        graded = sum(
            1 for a in glance if (a["latest"] or {}).get("grades", {}).get("overall_effectiveness")
        )
        assert graded > 100
        await expect(page.locator('svg.hexmap [data-band="none"]')).to_have_count(
            len(authorities) - graded
        )
        cell = page.locator('[data-ons-code="E09000032"]')
        await expect(cell).to_have_attribute("data-band", overall)
        await cell.hover()
        await expect(page.locator("#map-info")).to_contain_text("Wandsworth (London)")
        # The keyboard: a hexagon takes focus, tells its authority, and Enter opens it.
        lewisham = page.locator('a:has([data-ons-code="E09000023"])')
        await lewisham.focus()
        await expect(page.locator("#map-info")).to_contain_text("Lewisham")
        regions = page.locator("section[aria-labelledby=regions-title] svg")
        assert "London:" in (await regions.get_attribute("aria-label") or "")
        await expect(page.locator("ol.latest li")).to_have_count(min(len(stored), 8))
        assert await accessibility_violations(page) == []
        await page.screenshot(path=SCREENSHOTS / "home.png", full_page=True)
        await page.keyboard.press("Enter")
        await expect(page.get_by_role("heading", level=1)).to_have_text("Lewisham")
        # Other colourings: when the next inspection is due, and a theme's share of concerns.
        await page.goto(f"{site}/")
        await page.get_by_label("Colour by").select_option("next")
        await expect(page.get_by_role("heading", level=2).first).to_contain_text("Next ILACS")
        bands = set(await hexes.evaluate_all("(cells) => cells.map((c) => c.dataset.band)"))
        assert bands - {"none"}
        assert bands <= {"overdue", "6", "12", "24", "later", "none"}
        await page.get_by_label("Colour by").select_option("theme")
        await page.get_by_label("Theme").select_option("domestic_abuse")
        await expect(page.get_by_role("heading", level=2).first).to_contain_text("Domestic abuse")
        with_concerns = await page.locator(
            'svg.hexmap [data-ons-code]:not([data-band="none"])'
        ).evaluate_all("(cells) => cells.map((c) => c.dataset.laCode)")
        # Only authorities with stored reports have concerns to share out.
        assert with_concerns
        assert set(with_concerns) <= {
            r.local_authority.la_code for r in stored.values() if r.local_authority
        }


async def test_search_counts_filters_exports_and_starts_snippets_at_a_sentence(
    stored: dict[str, ReportParsed], site: str, browser: Browser
) -> None:
    salford = stored[SALFORD_2018]
    async with page_of(browser, "search-then-a-report") as page:
        asked: list[str] = []
        page.on("request", lambda request: asked.append(request.url))
        await page.goto(f"{site}/#/search")
        await page.get_by_label("Words").fill("domestic abuse")
        await page.get_by_role("button", name="Search", exact=True).click()
        results = page.locator("#results > li")
        await expect(results.first).to_be_visible()
        await expect(results.first.locator("mark").first).to_have_text(
            re.compile("domestic|abuse", re.IGNORECASE)
        )
        count = page.locator("#result-count")
        await expect(count).to_contain_text("found")
        total = int(re.sub(r"\D", "", await count.inner_text()))
        assert total == await results.count() or total > 25
        # The first findings are not held back by their count, which the facets carry.
        pages = [url for url in asked if "/findings?" in url and "q=domestic" in url]
        assert pages
        assert not any("total=" in url for url in pages)
        # Snippets start at a sentence: a capital, a digit, a quote or a highlight.
        for snippet in await results.locator("p.finding").all_inner_texts():
            assert re.match(r"[A-Z0-9\"“‘(]", snippet), snippet
        # Counts by facet, each a filter in one click.
        themes = page.locator("section.facet", has=page.get_by_role("heading", name="Theme"))
        await expect(themes.locator("li").first).to_be_visible()
        tone = page.locator("section.facet", has=page.get_by_role("heading", name="Tone"))
        first_tone = tone.locator("li").first
        tone_name = (await first_tone.get_by_role("link").inner_text()).lower()
        tone_count = int(re.sub(r"\D", "", await first_tone.locator(".count").inner_text()))
        await page.screenshot(path=SCREENSHOTS / "search.png", full_page=True)
        async with page.expect_download() as download_info:
            await page.get_by_role("link", name="CSV").click()
        rows = list(csv.reader(io.StringIO((await (await download_info.value).path()).read_text())))
        assert len(rows) - 1 == total  # the export is the query, every row of it
        await first_tone.get_by_role("link").click()
        await expect(page).to_have_url(re.compile(f"tone={tone_name}"))
        await expect(count).to_contain_text(f"{tone_count} finding")
        assert await accessibility_violations(page) == []
        salford_hit = results.filter(has=page.get_by_role("link", name="Salford")).first
        await salford_hit.get_by_role("link", name=re.compile("ILACS inspection")).click()
        await expect(page.get_by_role("heading", level=1)).to_have_text(salford.title or "")


async def test_a_broad_search_shows_estimated_counts_then_exact_ones(
    stored: dict[str, ReportParsed], database_settings: DatabaseSettings, browser: Browser
) -> None:
    """Where the API estimates a search's facets (here: half the reports sampled, however
    few its matches), the page marks its counts as estimates, then shows the exact ones."""
    settings = ApiSettings(
        database=database_settings, facet_sample_sixteenths=8, facet_estimate_above=0
    )
    exact_asked = asyncio.Event()
    release = asyncio.Event()

    async def exact_held(route: Route) -> None:
        if "estimate=true" not in route.request.url:
            exact_asked.set()
            await release.wait()
        await route.continue_()

    async with serving_api(settings) as url, page_of(browser, "search-estimated") as page:
        await page.route("**/findings/facets?*", exact_held)
        await page.goto(f"{url}/#/search?q=children")
        count = page.locator("#result-count")
        await expect(count).to_contain_text("About")
        # The estimate's interval beside it, as the API gives it (the sample's counts are
        # kept: this asks the same estimate the page did).
        async with httpx.AsyncClient(base_url=url) as client:
            params = {"q": "children", "group_by": "tone", "estimate": "true"}
            estimated = (await client.get("/findings/facets", params=params)).json()
        assert estimated["estimated"] is True
        await expect(count).to_have_text(
            f"About {estimated['total_findings']:,} findings found (95% interval:"
            f" {estimated['total_findings_low']:,} to {estimated['total_findings_high']:,})"
        )
        await expect(page.locator(".facets .estimated")).to_contain_text("one report in 2")
        await expect(page.locator(".facets .count").first).to_contain_text("≈")
        assert exact_asked.is_set()
        release.set()
        await expect(count).not_to_contain_text("About")
        # Asked only now: an exact count kept before would have been served at once.
        async with httpx.AsyncClient(base_url=url) as client:
            params = {"q": "children", "group_by": "tone"}
            exact = (await client.get("/findings/facets", params=params)).json()
        assert exact["estimated"] is False
        await expect(count).to_have_text(f"{exact['total_findings']:,} findings found")
        await expect(page.locator(".facets .estimated")).to_have_count(0)
        assert "≈" not in await page.locator(".facets").inner_text()


async def test_a_report_has_sections_to_jump_to_dates_and_ofsteds_grades_checked(
    stored: dict[str, ReportParsed],
    site: str,
    browser: Browser,
    database_settings: DatabaseSettings,
    tmp_path: Path,
) -> None:
    lewisham = stored[LEWISHAM_2019]
    await with_original(database_settings, tmp_path, lewisham, LEWISHAM_2019)
    detail = await api_json(site, f"/reports/{lewisham.report_id}")
    assert isinstance(detail, dict)
    async with page_of(browser, "report-whole") as page:
        await page.goto(f"{site}/#/reports/{lewisham.report_id}")
        await expect(page.get_by_role("heading", level=1)).to_have_text(lewisham.title or "")
        facts = page.locator("dl.facts")
        await expect(facts).to_contain_text("Inspected")
        await expect(facts).to_contain_text("Published")
        await expect(page.locator("table.grades")).to_contain_text(
            "Requires improvement to be good"
        )
        check = page.locator(".check")
        if detail["official"] is None:
            await expect(check).to_contain_text("Not in Ofsted's published tables")
        elif detail["quality"]["official_mismatch"]:
            await expect(check).to_contain_text("Differs from Ofsted's published grades")
        else:
            await expect(check).to_contain_text("Matches Ofsted's published grades")
        await page.screenshot(path=SCREENSHOTS / "report.png")  # its first screen
        sections = page.locator("nav.sections a")
        assert await sections.count() >= 3
        third = sections.nth(2)
        name = (await third.inner_text()).rsplit(" (", 1)[0]
        target = (await third.get_attribute("href") or "").rsplit("at=", 1)[1]
        await third.click()
        heading = page.locator(f"h2#{target}")
        await expect(heading).to_be_focused()
        await expect(heading).to_have_text(name)
        assert await accessibility_violations(page) == []
        file_url = await page.get_by_role("link", name="The original file").get_attribute("href")
        async with httpx.AsyncClient(base_url=site) as client:
            response = await client.get(file_url or "")
        assert hashlib.sha256(response.content).hexdigest() == lewisham.report_id


async def test_a_weakness_raised_before_shows_where_under_it(
    stored: dict[str, ReportParsed], site: str, browser: Browser
) -> None:
    later = stored[WOKINGHAM[2]]
    detail = await api_json(site, f"/reports/{later.report_id}")
    assert isinstance(detail, dict)
    linked = [f for f in detail["findings"] if f["raised_before"]]
    assert linked
    async with page_of(browser, "report-raised-before") as page:
        await page.goto(f"{site}/#/reports/{later.report_id}")
        shown = page.locator("details.raised-before")
        await expect(shown).to_have_count(len(linked))
        first = shown.first
        await first.locator("summary").click()
        earlier = linked[0]["raised_before"][0]
        await expect(first).to_contain_text(earlier["text"][:60])
        await expect(first).to_contain_text(f"{round(earlier['similarity'] * 100)}% alike")
        link = first.get_by_role("link").first
        assert await link.get_attribute("href") == f"#/reports/{earlier['report_id']}"
        assert await accessibility_violations(page) == []


async def test_an_authority_at_a_glance_draws_each_judgement_apart(
    stored: dict[str, ReportParsed], site: str, browser: Browser
) -> None:
    detail = await api_json(site, "/local-authorities/212")
    assert isinstance(detail, dict)
    inspection = next(r for r in detail["reports"] if r["report_type"] == "ilacs_inspection")
    async with page_of(browser, "authority-then-a-neighbour") as page:
        await page.goto(f"{site}/#/authorities/212")
        await expect(page.get_by_role("heading", level=1)).to_have_text("Wandsworth")
        timeline = page.locator(f'figure.timeline a[href="#/reports/{inspection["report_id"]}"]')
        markers = timeline.locator("path.judgement")
        await expect(markers).to_have_count(len(inspection["grades"]))
        # Each judgement its own shape, and none hides another.
        shapes = await markers.evaluate_all("(m) => m.map((n) => n.dataset.shape)")
        areas = await markers.evaluate_all("(m) => m.map((n) => n.dataset.area)")
        assert len(set(shapes)) == len(shapes), (areas, shapes, inspection)
        places = await markers.evaluate_all("(m) => m.map((n) => n.getAttribute('transform'))")
        assert len(set(places)) == len(places)
        label = await timeline.get_attribute("aria-label") or ""
        assert "Overall effectiveness: Good" in label
        date_labels = await page.locator("figure.timeline text.date-label").evaluate_all(
            "(texts) => texts.map((t) => t.textContent)"
        )
        months = [
            "Jan",
            "Feb",
            "Mar",
            "Apr",
            "May",
            "Jun",
            "Jul",
            "Aug",
            "Sep",
            "Oct",
            "Nov",
            "Dec",
        ]
        year, month = inspection["report_date"][:4], int(inspection["report_date"][5:7])
        assert f"{months[month - 1]} {year}" in date_labels
        # The 2011 letter is a visit without grades, marked on its own row.
        await expect(page.locator("figure.timeline .visit").first).to_be_attached()
        await expect(page.locator("#next")).to_contain_text("expected around")
        await expect(page.locator("figure.profile > svg")).to_have_attribute(
            "aria-label", re.compile("Share of concerns by theme")
        )
        await expect(page.get_by_role("heading", name="Weaknesses raised again")).to_be_visible()
        assert await accessibility_violations(page) == []
        await page.screenshot(path=SCREENSHOTS / "authority.png", full_page=True)
        neighbours = page.locator("table", has_text="Statistical neighbours")
        lewisham_row = neighbours.locator("tr", has_text="Lewisham")
        await expect(lewisham_row).to_contain_text("Requires improvement")
        await lewisham_row.get_by_role("link", name="Lewisham").click()
        await expect(page.get_by_role("heading", level=1)).to_have_text("Lewisham")
        assert stored[LEWISHAM_2019].report_id in await page.content()


async def test_the_picker_on_every_page_opens_an_authority(site: str, browser: Browser) -> None:
    async with page_of(browser, "picker") as page:
        await page.goto(f"{site}/#/summary")
        picker = page.locator("#pick-authority")
        await picker.fill("Salf")
        await picker.press("Enter")
        await expect(page.get_by_role("heading", level=1)).to_have_text("Salford")


async def test_themes_over_time_and_two_places_compared(
    stored: dict[str, ReportParsed], site: str, browser: Browser
) -> None:
    async with page_of(browser, "themes") as page:
        await page.goto(
            f"{site}/#/themes?theme=domestic_abuse&region=London&a=la:212&b=region:North%20West"
        )
        trend = page.locator("figure.trend > svg")
        label = await trend.get_attribute("aria-label") or ""
        assert label.startswith("Domestic abuse: share of concerns by year")
        assert "England:" in label
        assert "London:" in label
        compare = page.locator("figure.profile > svg")
        label = await compare.get_attribute("aria-label") or ""
        assert "Wandsworth" in label
        assert "North West" in label
        assert await accessibility_violations(page) == []


async def test_the_national_summary_shows_no_empty_scale(
    stored: dict[str, ReportParsed], site: str, browser: Browser
) -> None:
    async with page_of(browser, "summary") as page:
        await page.goto(f"{site}/#/summary")
        await expect(page.get_by_role("heading", level=1)).to_have_text("National summary")
        for row in await page.locator("tbody tr").all():
            cells = await row.locator("td").all_inner_texts()
            assert int(cells[-1]) > 0  # no judgement row of zeros
        await expect(page.locator("caption", has_text="Area SEND")).to_have_count(0)  # none stored
        assert await accessibility_violations(page) == []


@pytest.mark.parametrize(
    "path",
    ["/", "/#/search?q=care%20leavers", "/#/authorities/212", "/#/themes", "/#/summary", "REPORT"],
)
async def test_every_page_fits_a_phone_and_passes_axe(
    stored: dict[str, ReportParsed], site: str, browser: Browser, path: str
) -> None:
    if path == "REPORT":
        path = f"/#/reports/{stored[SALFORD_2018].report_id}"
    name = "phone-" + (re.sub(r"[^a-z]+", "-", path.split("?")[0]).strip("-") or "home")
    async with page_of(browser, name, PHONE) as page:
        await page.goto(f"{site}{path}")
        await expect(page.locator("main h1")).to_be_visible()
        await page.wait_for_load_state("networkidle")
        # Nothing wider than the screen: no sideways scrolling of the page.
        assert await page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        # Charts are drawn at the phone's width, not shrunk: their text stays 12 px.
        for chart in await page.locator("figure.chart svg[width]").all():
            drawn = await chart.evaluate("(svg) => svg.getBoundingClientRect().width")
            assert abs(drawn - float(await chart.get_attribute("width") or 0)) < 1
        assert await accessibility_violations(page) == []


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
    await with_original(database_settings, tmp_path, salford, SALFORD_2018)
    settings = ApiSettings(database=database_settings, read_keys=[SecretStr("reader-key")])
    async with serving_api(settings) as url, page_of(browser, "read-key") as page:
        await page.goto(f"{url}/")
        await expect(page.get_by_role("alert")).to_contain_text("needs a key")
        await page.get_by_label("API key").fill("a guess")
        await page.get_by_role("button", name="Use this key").click()
        await expect(page.get_by_role("alert")).to_contain_text("not accepted")
        await page.get_by_label("API key").fill("reader-key")
        await page.get_by_role("button", name="Use this key").click()
        await expect(page.locator("svg.hexmap")).to_be_visible()
        await page.goto(f"{url}/#/reports/{salford.report_id}")
        await page.reload()  # the key is kept for the session
        await expect(page.get_by_role("heading", level=1)).to_have_text(salford.title or "")
        async with page.expect_download() as download_info:
            await page.get_by_role("link", name="The original file").click()
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


def test_the_served_chart_library_is_the_one_the_vendor_table_names() -> None:
    vendor = Path(__file__).parents[2] / "services/api/src/findings_api/web/vendor"
    digest = hashlib.sha256((vendor / "d3.min.js").read_bytes()).hexdigest()
    assert f"`{digest}`" in (vendor / "README.md").read_text()
    assert (vendor / "d3.min.js").read_text()[:60].startswith("// https://d3js.org v7.9.0")
