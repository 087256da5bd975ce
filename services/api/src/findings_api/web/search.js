// Search that answers "how many": the total, counts by theme, tone, kind, region, year,
// grade and report type for the current query (each a filter in one click), the results
// page by page, and the current query as CSV or Excel.
import { SHORT_GRADES, api, day, el, failure, field, fileLink, select, sentence, show, themeLabel, themes, words, REGIONS } from "./common.js";
import { kindOf } from "./authority.js";

const CATEGORIES = ["strength", "area_for_development", "improvement", "priority_action", "meets_requirements", "evidence", "summary"];
const REPORT_TYPES = ["ilacs_inspection", "focused_visit", "monitoring_visit", "sif_inspection", "area_send", "jtai",
  "annual_unannounced_inspection", "safeguarding_lac_inspection", "joint_area_review"];
// The filters a facet sets: its value becomes this query parameter.
const FACETS = [
  ["theme", "Theme", "theme"], ["tone", "Tone", "tone"], ["category", "Kind of finding", "category"],
  ["region", "Region", "region"], ["year", "Year", null], ["grade", "Report's overall grade", "report_grade"],
  ["report_type", "Report type", "report_type"],
];
// The search form's fields, in order: [parameter, label, options or null for text].
const FILTERS = ["q", "authority", "category", "theme", "tone", "region", "report_type", "report_grade",
  "published_from", "published_to"];

function facetLabel(group, key) {
  if (key === null) return group === "grade" ? "No overall grade" : "None";
  if (group === "grade") return SHORT_GRADES[key] || words(key);
  if (group === "report_type") return kindOf(key);
  if (group === "theme") return themeLabel(key);
  if (group === "category" || group === "tone") return sentence(key);
  return key;
}

function withFilter(query, group, key) {
  const params = new URLSearchParams(query);
  params.delete("cursor");
  if (group === "year") {
    params.set("published_from", `${key}-01-01`);
    params.set("published_to", `${key}-12-31`);
  } else {
    params.set(FACETS.find(([g]) => g === group)[2], key);
  }
  return params;
}

// The counts by facet, and how many findings there are in all (each facet's totals). With
// `estimate`, a broad search's counts may come estimated from a sample of the reports (fast
// where the exact count takes a second); they are marked so.
async function facetLists(filters, query, estimate) {
  let total = 0;
  let sampled = null;
  let range = null;
  const lists = await Promise.all(FACETS.map(async ([group, label]) => {
    const facets = await api("/findings/facets", { ...filters, group_by: group, ...(estimate ? { estimate: "true" } : {}) });
    total = facets.total_findings;
    if (facets.estimated) {
      sampled = facets.sampled_share;
      range = [facets.total_findings_low, facets.total_findings_high];
    }
    const count = (bucket) => facets.estimated
      ? el("span", { class: "count", title: `estimated: ${bucket.findings_low.toLocaleString("en-GB")} to ${bucket.findings_high.toLocaleString("en-GB")} (95% interval)`,
        text: ` ≈${bucket.findings.toLocaleString("en-GB")}` })
      : el("span", { class: "count", text: ` ${bucket.findings.toLocaleString("en-GB")}` });
    let buckets = facets.buckets.filter((b) => b.key !== null || group !== "theme");
    if (group === "year") buckets = [...buckets].sort((a, b) => String(b.key).localeCompare(String(a.key)));
    const items = buckets.slice(0, group === "theme" ? 12 : 10).map((bucket) => el("li", {},
      bucket.key === null ? el("span", { text: facetLabel(group, null) })
        : el("a", { href: `#/search?${withFilter(query, group, bucket.key)}`, text: facetLabel(group, bucket.key) }),
      count(bucket)));
    return el("section", { class: "facet", "aria-label": `${label}: counts` },
      el("h3", { text: label }), items.length ? el("ul", {}, ...items) : el("p", { class: "meta", text: "none" }));
  }));
  const note = sampled === null ? [] : [el("p", { class: "meta estimated",
    text: `Estimated from one report in ${Math.round(1 / sampled)}; counting them all…` })];
  return { total, range, estimated: sampled !== null,
    aside: el("aside", { class: "facets", "aria-label": "Counts by facet" }, el("h2", { text: "How many" }), ...note, ...lists) };
}

function resultItem(finding) {
  const text = el("p", { class: "finding" });
  if (finding.snippet) text.innerHTML = finding.snippet; // safe: escaped by the API
  else text.textContent = finding.text;
  return el("li", {}, text,
    el("p", { class: "meta" },
      el("span", { class: "tag", text: words(finding.category) }),
      finding.la_code ? el("a", { href: `#/authorities/${finding.la_code}`, text: finding.local_authority_name || "Unknown authority" })
        : "Unknown authority",
      " · ",
      el("a", { href: `#/reports/${finding.report_id}`, text: `${kindOf(finding.report_type)}, ${day(finding.published || finding.inspection_start)}` }),
      finding.section ? ` · ${finding.section}` : ""));
}

async function loadResults(filters, list, more, cursor) {
  const page = await api("/findings", { ...filters, limit: 25, cursor });
  for (const finding of page.items) list.append(resultItem(finding));
  more.replaceChildren();
  if (page.next_cursor) {
    const button = el("button", { class: "more", type: "button", text: "More findings" });
    button.addEventListener("click", async () => {
      button.disabled = true;
      try {
        await loadResults(filters, list, more, page.next_cursor);
      } catch (error) {
        more.replaceChildren(failure(error));
      }
    });
    more.append(button);
  }
  return page;
}

export async function searchPage(query) {
  const filters = Object.fromEntries([...query].filter(([name, value]) => FILTERS.includes(name) && value));
  try {
    const themeList = await themes();
    const optional = (options) => [["", "Any"], ...options];
    const form = el("form", { class: "search", role: "search", "aria-label": "Findings" },
      el("div", { class: "field wide" }, el("label", { for: "q", text: "Words" }),
        el("input", { id: "q", name: "q", type: "search", value: filters.q || "",
          placeholder: "e.g. \"domestic abuse\" or care leavers housing" })),
      field("authority", "Local authority", el("input", { id: "authority", name: "authority", value: filters.authority || "",
        placeholder: "e.g. Salford" })),
      field("category", "Kind of finding", select("category", "category", optional(CATEGORIES.map((c) => [c, sentence(c)])), filters.category || "")),
      field("theme", "Theme", select("theme", "theme", optional(themeList.map((t) => [t.theme, t.label])), filters.theme || "")),
      field("tone", "Tone", select("tone", "tone", optional(["strength", "concern", "mixed"].map((t) => [t, sentence(t)])), filters.tone || "")),
      field("region", "Region", select("region", "region", optional(REGIONS.map((r) => [r, r])), filters.region || "")),
      field("report_type", "Report type", select("report_type", "report_type", optional(REPORT_TYPES.map((t) => [t, kindOf(t)])), filters.report_type || "")),
      field("report_grade", "Report's overall grade", select("report_grade", "report_grade",
        optional(["outstanding", "good", "requires_improvement", "inadequate"].map((g) => [g, SHORT_GRADES[g]])), filters.report_grade || "")),
      field("published_from", "Published from", el("input", { id: "published_from", name: "published_from", type: "date", value: filters.published_from || "" })),
      field("published_to", "Published to", el("input", { id: "published_to", name: "published_to", type: "date", value: filters.published_to || "" })),
      el("div", { class: "actions" }, el("button", { type: "submit", text: "Search" }),
        el("a", { href: "#/search", text: "Clear" })));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const params = new URLSearchParams();
      for (const [name, value] of new FormData(form)) if (value) params.set(name, value);
      location.hash = `#/search?${params}`;
    });
    const list = el("ol", { class: "results", id: "results" });
    const more = el("div", { class: "more-holder" });
    const total = el("p", { class: "total", id: "result-count", role: "status" });
    const exportLink = (format, text) =>
      fileLink(`/findings?${new URLSearchParams({ ...filters, format })}`, text, { class: "button", download: "" });
    const exports = el("p", { class: "exports" }, "Download these findings: ", exportLink("csv", "CSV"), " ",
      exportLink("xlsx", "Excel (XLSX)"));
    const facetsHolder = el("div", { class: "facets-holder" });
    show(filters.q ? `Search: ${filters.q}` : "Search findings",
      el("h1", { text: "Search findings" }), form,
      el("div", { class: "search-layout" }, facetsHolder,
        el("section", { class: "hits", "aria-label": "Findings found" }, total, exports, list, more)));
    // The first findings show as soon as they are found; their count comes with the facets
    // (a common phrase's count takes longer than its first page). A broad search's counts
    // come first as estimates, then exact.
    const shown = (facets) => {
      facetsHolder.replaceChildren(facets.aside);
      const count = facets.total;
      const number = (value) => value.toLocaleString("en-GB");
      const found = `${number(count)} finding${count === 1 ? "" : "s"} found`;
      total.textContent = !count ? "No findings match."
        : facets.estimated ? `About ${found} (95% interval: ${number(facets.range[0])} to ${number(facets.range[1])})`
        : found;
    };
    const [, first] = await Promise.all([
      loadResults(filters, list, more, null),
      facetLists(filters, query, true),
    ]);
    shown(first);
    if (first.estimated) {
      // The estimates stay, marked, if the exact counts cannot be had.
      try {
        shown(await facetLists(filters, query, false));
      } catch (error) {
        facetsHolder.prepend(failure(error));
      }
    }
  } catch (error) {
    show("Search findings", el("h1", { text: "Search findings" }), failure(error));
  }
}
