// Findings web page: plain JavaScript modules over the JSON API, no build step; charts
// drawn with d3 (vendor/d3.min.js, from npm, served from the package: no CDN).
import { authorities, onKeyChosen } from "./common.js";
import { homePage } from "./home.js";
import { authorityPage } from "./authority.js";
import { reportPage } from "./report.js";
import { searchPage } from "./search.js";
import { summaryPage } from "./summary.js";
import { themesPage } from "./themes.js";

// The type-ahead authority picker in the header, on every page: a name (or DfE code) typed
// or chosen from the list opens that authority.
async function picker() {
  const input = document.getElementById("pick-authority");
  const list = document.getElementById("authority-names");
  const form = input.form;
  let known = [];
  const load = async () => {
    if (known.length) return;
    try {
      known = await authorities();
      list.replaceChildren(...known.map((a) => {
        const option = document.createElement("option");
        option.value = a.name;
        option.textContent = `${a.region} · DfE ${a.la_code}`;
        return option;
      }));
    } catch {
      known = []; // reading may need a key: the page asks for it
    }
  };
  const open = () => {
    const typed = input.value.trim().toLowerCase();
    const found = known.find((a) => a.name.toLowerCase() === typed || a.la_code === typed)
      || known.filter((a) => a.name.toLowerCase().startsWith(typed)).at(0);
    if (!typed || !found) return false;
    input.value = "";
    location.hash = `#/authorities/${found.la_code}`;
    return true;
  };
  input.addEventListener("focus", load);
  input.addEventListener("change", () => { if (known.some((a) => a.name === input.value)) open(); });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    await load();
    if (!open()) input.setCustomValidity("No authority of that name"), input.reportValidity();
  });
  input.addEventListener("input", () => input.setCustomValidity(""));
}

function route() {
  const [path, search] = location.hash.replace(/^#/, "").split("?");
  const query = new URLSearchParams(search || "");
  for (const link of document.querySelectorAll("header nav a")) {
    const current = link.getAttribute("href") === `#${path}` || (path === "" && link.getAttribute("href") === "#/");
    if (current) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  let match;
  if ((match = path.match(/^\/reports\/([0-9a-f]{64})$/))) return reportPage(match[1], query.get("at"));
  if ((match = path.match(/^\/authorities\/(\d{3})$/))) return authorityPage(match[1]);
  if (path === "/search") return searchPage(query);
  if (path === "/themes") return themesPage(query);
  if (path === "/summary") return summaryPage();
  return homePage(query);
}

// The skip link moves focus without touching the address (the page routes on its hash).
document.querySelector("a.skip").addEventListener("click", (event) => {
  event.preventDefault();
  document.getElementById("main").focus();
});
onKeyChosen(route);
window.addEventListener("hashchange", route);
picker();
route();
