// What every page of the web page shares: building elements, calling the API (with a read
// key when one is kept), grade wording and colours, and the list of authorities.
// Everything from the API is put in the page as text, except search snippets, which the
// API sends as safe HTML (the finding's text escaped, matches wrapped in <mark>).

export const main = document.getElementById("main");

// Ofsted's wording of each grade, as its reports and tables print it.
export const GRADES = {
  outstanding: "Outstanding", good: "Good", requires_improvement: "Requires improvement to be good",
  adequate: "Adequate", inadequate: "Inadequate", positive: "Positive",
  inconsistent: "Inconsistent", systemic_failings: "Systemic failings",
};
export const SHORT_GRADES = { ...GRADES, requires_improvement: "Requires improvement" };
// Higher is better: the order of legends and of the timeline's vertical axis.
export const GRADE_LEVEL = { inadequate: 0, systemic_failings: 0, adequate: 1, requires_improvement: 1,
  inconsistent: 1, good: 2, positive: 2, outstanding: 3 };
// Blue to red (ColorBrewer RdBu's ends): told apart with any colour vision.
export const GRADE_COLOURS = { outstanding: "#084594", good: "#4292c6", requires_improvement: "#f4a582",
  adequate: "#f4a582", inadequate: "#b2182b", positive: "#4292c6", inconsistent: "#f4a582",
  systemic_failings: "#b2182b" };
export const NO_DATA = "#d9d9d9";
export const REGIONS = ["East Midlands", "East of England", "London", "North East", "North West", "South East", "South West",
  "West Midlands", "Yorkshire and The Humber"];
export const ILACS_AREAS = ["overall_effectiveness", "impact_of_leaders", "help_and_protection",
  "children_in_care", "care_leavers"];
export const AREA_NAMES = {
  overall_effectiveness: "Overall effectiveness",
  impact_of_leaders: "The impact of leaders on social work practice",
  help_and_protection: "Children who need help and protection",
  children_in_care: "Children in care",
  care_leavers: "Care leavers",
  children_in_care_and_care_leavers: "Children in care and care leavers",
  children_looked_after: "Children looked after",
  leadership_management_governance: "Leadership, management and governance",
  lscb: "Local Safeguarding Children Board",
  area_send_outcome: "Area SEND outcome",
};
export const words = (value) => (value || "").replaceAll("_", " ");
export const sentence = (value) => { const text = words(value); return text.charAt(0).toUpperCase() + text.slice(1); };
export const areaName = (area) => AREA_NAMES[area] || sentence(area);

export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "text") node.textContent = value;
    else node.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children) if (child !== null && child !== undefined) node.append(child);
  return node;
}

export const SVG = "http://www.w3.org/2000/svg";

export function svgEl(tag, attributes = {}, text = null) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value !== undefined && value !== null) node.setAttribute(name, value);
  }
  if (text !== null) node.textContent = text;
  return node;
}

// The API answered 401: reading needs a key (FINDINGS_API_READ_KEYS), or the key given
// was not one of its own.
export class KeyNeeded extends Error {}

export const storedKey = () => sessionStorage.getItem("findings-key");

export function keyHeader() {
  const key = storedKey();
  return key ? { "X-API-Key": key } : {};
}

// `params`: an object (a value may be an array: a repeated parameter) or URLSearchParams.
export function apiUrl(path, params = {}) {
  const url = new URL(path, location.origin);
  const entries = params instanceof URLSearchParams ? [...params] : Object.entries(params);
  for (const [name, value] of entries) {
    for (const one of Array.isArray(value) ? value : [value]) {
      if (one !== undefined && one !== null && one !== "") url.searchParams.append(name, one);
    }
  }
  return url;
}

export async function api(path, params = {}) {
  const response = await fetch(apiUrl(path, params), { headers: keyHeader() });
  if (!response.ok) throw await problem(response);
  return response.json();
}

async function problem(response) {
  const body = await response.json().catch(() => ({}));
  const detail = typeof body.detail === "string" ? body.detail
    : (body.detail || []).map((d) => d.msg).join("; ");
  const message = detail || `${response.status} ${response.statusText}`;
  return response.status === 401 ? new KeyNeeded(message) : new Error(message);
}

// A link to a file of the API (an export, an original report) that carries the key when
// one is kept: fetched, then saved from memory.
export function fileLink(path, text, attributes = {}) {
  const link = el("a", { href: path, text, ...attributes });
  link.addEventListener("click", async (event) => {
    if (!storedKey()) return; // reading is open: a plain link
    event.preventDefault();
    try {
      const response = await fetch(path, { headers: keyHeader() });
      if (!response.ok) throw await problem(response);
      const name = /filename="?([^";]+)"?/.exec(response.headers.get("content-disposition") || "");
      const url = URL.createObjectURL(await response.blob());
      const save = el("a", { href: url, download: name ? name[1] : "" });
      document.body.append(save);
      save.click();
      save.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
    } catch (error) {
      link.after(failure(error));
    }
  });
  return link;
}

let rerender = () => {};
export function onKeyChosen(callback) { rerender = callback; }

// Asks for a key, keeps it for this browser session (sessionStorage), and shows the page.
function keyForm(message) {
  const input = el("input", { id: "api-key", name: "key", type: "password", autocomplete: "off",
    required: true });
  const form = el("form", { class: "key" },
    el("p", { role: "alert", text: storedKey()
      ? `The key was not accepted: ${message}` : "This Findings needs a key to read." }),
    el("label", { for: "api-key", text: "API key" }), input,
    el("button", { type: "submit", text: "Use this key" }));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    sessionStorage.setItem("findings-key", input.value.trim());
    authoritiesLoaded = null;
    themesLoaded = null;
    rerender();
  });
  setTimeout(() => input.focus(), 0);
  return form;
}

export function show(title, ...content) {
  document.title = `${title} · Findings`;
  main.replaceChildren(...content);
  main.focus({ preventScroll: false });
}

export function failure(error) {
  if (error instanceof KeyNeeded) return keyForm(error.message);
  return el("p", { class: "error", role: "alert", text: error.message });
}

export function grade(value, short = true) {
  return el("span", { class: `grade ${value}`, text: (short ? SHORT_GRADES : GRADES)[value] || words(value) });
}

export function reportDate(report) {
  return report.published || report.inspection_end || report.report_date || report.inspection_start || "";
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
// "13 Jan 2023": dates as people read them (the API's are ISO).
export function day(iso) {
  if (!iso) return "";
  const [year, month, dayOfMonth] = iso.split("-").map(Number);
  return `${dayOfMonth} ${MONTHS[month - 1]} ${year}`;
}
export function monthYear(iso) {
  if (!iso) return "";
  const [year, month] = iso.split("-").map(Number);
  return `${MONTHS[month - 1]} ${year}`;
}

// Every authority of the reference list, fetched once per page load.
let authoritiesLoaded = null;
export function authorities() {
  authoritiesLoaded ??= api("/local-authorities").catch((error) => {
    authoritiesLoaded = null;
    throw error;
  });
  return authoritiesLoaded;
}

// Every theme of the taxonomy, fetched once; their names for people.
let themesLoaded = null;
const themeNames = new Map();
export function themes() {
  themesLoaded ??= api("/themes").then((list) => {
    for (const theme of list) themeNames.set(theme.theme, theme.label);
    return list;
  }).catch((error) => {
    themesLoaded = null;
    throw error;
  });
  return themesLoaded;
}
export const themeLabel = (slug) => themeNames.get(slug) || sentence(slug);

// A wide table in a box that scrolls sideways on a phone, reachable by the keyboard.
export function scrollBox(table, label) {
  return el("div", { class: "scroll", tabindex: "0", role: "region", "aria-label": label }, table);
}

export function select(id, name, options, chosen, attributes = {}) {
  const node = el("select", { id, name, ...attributes });
  for (const [value, text] of options) {
    const option = el("option", { value, text });
    if (value === chosen) option.selected = true;
    node.append(option);
  }
  return node;
}

export function field(id, text, control) {
  return el("div", { class: "field" }, el("label", { for: id, text }), control);
}

// A theme's share of concerns for each key of `groupBy` (la_code, region, year): the
// concern findings with the theme over all concern findings.
export async function themeShares(theme, groupBy, filters = {}) {
  const [all, withTheme] = await Promise.all([
    api("/findings/facets", { ...filters, group_by: groupBy, tone: "concern" }),
    api("/findings/facets", { ...filters, group_by: groupBy, tone: "concern", theme }),
  ]);
  const totals = new Map(all.buckets.map((b) => [b.key, b.findings]));
  const shares = new Map();
  for (const [key, total] of totals) shares.set(key, { share: 0, findings: 0, total });
  for (const bucket of withTheme.buckets) {
    const total = totals.get(bucket.key) || 0;
    shares.set(bucket.key, { share: total ? bucket.findings / total : 0, findings: bucket.findings, total });
  }
  return shares;
}

// Each theme's share of the concerns the filters select: an authority's or a region's
// theme profile.
export async function themeProfile(filters) {
  const facets = await api("/findings/facets", { ...filters, group_by: "theme", tone: "concern" });
  const profile = new Map();
  for (const bucket of facets.buckets) {
    if (bucket.key) profile.set(bucket.key, facets.total_findings ? bucket.findings / facets.total_findings : 0);
  }
  return { profile, concerns: facets.total_findings, reports: facets.total_reports };
}

export const percent = (share) => `${Math.round(share * 100)}%`;
