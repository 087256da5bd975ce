// Themes over time: a theme's share of the concerns inspectors raised, year by year,
// nationally and in a region; and two authorities' or regions' theme profiles compared.
import { authorities, el, failure, field, select, show, themeProfile, themeShares, themes, REGIONS } from "./common.js";
import { profileChart, trendChart } from "./charts.js";


const points = (shares) => [...shares].filter(([year, s]) => year !== null && s.total)
  .map(([year, s]) => ({ year: Number(year), share: s.share, total: s.total }));

// "region:London", "la:355" or "" (England) as /findings filters, with a name.
function chosen(value, known) {
  if (value.startsWith("region:")) return { name: value.slice(7), filters: { region: value.slice(7) } };
  if (value.startsWith("la:")) {
    const code = value.slice(3);
    return { name: known.find((a) => a.la_code === code)?.name || code, filters: { la_code: code } };
  }
  return { name: "England", filters: {} };
}

export async function themesPage(query) {
  const theme = query.get("theme") || "exploitation";
  const region = query.get("region") || "London";
  const first = query.get("a") || "";
  const second = query.get("b") || "region:London";
  try {
    const [themeList, known] = await Promise.all([themes(), authorities()]);
    const [national, regional] = await Promise.all([
      themeShares(theme, "year"), themeShares(theme, "year", { region })]);
    const label = themeList.find((t) => t.theme === theme)?.label || theme;
    const themeSelect = select("trend-theme", "theme", themeList.map((t) => [t.theme, t.label]), theme);
    const regionSelect = select("trend-region", "region", REGIONS.map((r) => [r, r]), region);
    const places = [["", "England"], ...REGIONS.map((r) => [`region:${r}`, r]),
      ...known.map((a) => [`la:${a.la_code}`, a.name])];
    const firstSelect = select("compare-a", "a", places, first);
    const secondSelect = select("compare-b", "b", places, second);
    const form = el("form", { class: "controls" }, field("trend-theme", "Theme", themeSelect),
      field("trend-region", "Region", regionSelect), el("button", { type: "submit", text: "Show" }));
    const compareForm = el("form", { class: "controls" }, field("compare-a", "Compare", firstSelect),
      field("compare-b", "with", secondSelect), el("button", { type: "submit", text: "Compare" }));
    const go = (event) => {
      event.preventDefault();
      const params = new URLSearchParams({ theme: themeSelect.value, region: regionSelect.value,
        a: firstSelect.value, b: secondSelect.value });
      location.hash = `#/themes?${params}`;
    };
    form.addEventListener("submit", go);
    compareForm.addEventListener("submit", go);
    const trendHolder = el("div", { class: "chart-holder" });
    const compareHolder = el("div", { class: "chart-holder" });
    show("Themes over time",
      el("h1", { text: "Themes over time" }),
      el("section", { "aria-labelledby": "trend-title" },
        el("h2", { id: "trend-title", text: `${label}: share of concerns by year` }), form, trendHolder),
      el("section", { "aria-labelledby": "compare-title" },
        el("h2", { id: "compare-title", text: "Two places compared: what inspectors raise" }), compareForm, compareHolder),
      el("p", { class: "meta", text: "A concern is a finding whose tone is concern: every area for development, improvement "
        + "and priority action, and the paragraphs that say what does not work yet. A year is the report's "
        + "publication year (else its inspection's). Themes and tone are tagged by phrase matching: see the API's "
        + "documentation for how well." }));
    trendHolder.append(trendChart([{ name: "England", points: points(national) }, { name: region, points: points(regional) }],
      trendHolder, `${label}: share of concerns by year`));
    const [a, b] = [chosen(first, known), chosen(second, known)];
    const [profileA, profileB] = await Promise.all([themeProfile(a.filters), themeProfile(b.filters)]);
    compareHolder.append(profileChart({ name: a.name, ...profileA }, { name: b.name, ...profileB }, compareHolder));
  } catch (error) {
    show("Themes over time", el("h1", { text: "Themes over time" }), failure(error));
  }
}
