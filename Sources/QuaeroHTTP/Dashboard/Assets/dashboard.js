// Quaero's dashboard: live updates over one event stream per page, the theme switch, keyboard shortcuts,
// confirmations and small conveniences. Every page works without it (forms post, links navigate); this file
// only adds to them. Served from the binary; no build step, no dependency.
"use strict";
(() => {
  const $ = (selector, root = document) => root.querySelector(selector);
  const $$ = (selector, root = document) => Array.from(root.querySelectorAll(selector));
  const root = document.documentElement;

  // Theme: the system's by default; the switch cycles system → dark → light and is remembered here.
  const themes = ["system", "dark", "light"];
  const applyTheme = theme => {
    if (theme === "dark" || theme === "light") root.dataset.theme = theme; else delete root.dataset.theme;
    const button = $("#theme");
    if (button) button.textContent = "Theme: " + (themes.includes(theme) ? theme : "system");
  };
  const storedTheme = () => localStorage.getItem("quaero-theme") || "system";
  const cycleTheme = () => {
    const next = themes[(themes.indexOf(storedTheme()) + 1) % themes.length];
    localStorage.setItem("quaero-theme", next);
    applyTheme(next);
  };
  applyTheme(storedTheme());

  // Live updates: the page names its stream in <body data-events>. Frames replace or append server-rendered,
  // escaped markup by element id. The stream closes while the tab is hidden and resumes after the last line.
  let source = null;
  let lastEventID = "";
  const status = text => { const badge = $("#live"); if (badge) { badge.textContent = text; badge.dataset.state = text; } };
  const remember = event => { if (event.lastEventId) lastEventID = event.lastEventId; };
  const target = data => document.getElementById(data.target);
  const handlers = {
    replace: data => { const element = target(data); if (element) element.innerHTML = data.html; },
    swap: data => { const element = target(data); if (element) element.outerHTML = data.html; },
    append: data => {
      const element = target(data);
      if (!element) return;
      const follow = element.scrollTop + element.clientHeight >= element.scrollHeight - 8;
      element.insertAdjacentHTML("beforeend", data.html);
      while (data.keep && element.children.length > data.keep) element.firstElementChild.remove();
      if (follow) element.scrollTop = element.scrollHeight;
    },
  };
  const connect = () => {
    const stream = document.body.dataset.events;
    if (!stream || source) return;
    const url = new URL(stream, location.href);
    if (lastEventID) url.searchParams.set("last_event_id", lastEventID);
    source = new EventSource(url);
    source.onopen = () => status("live");
    source.onerror = () => status(source && source.readyState === EventSource.CLOSED ? "offline" : "reconnecting");
    for (const [name, handle] of Object.entries(handlers)) {
      source.addEventListener(name, event => { remember(event); handle(JSON.parse(event.data)); });
    }
  };
  const disconnect = () => { if (source) { source.close(); source = null; status("paused"); } };
  document.addEventListener("visibilitychange", () => (document.hidden ? disconnect() : connect()));

  // Destructive actions ask first; the server asks again (a confirmation page) when this script is off.
  document.addEventListener("submit", event => {
    const form = event.target;
    const question = form.dataset.confirm;
    if (!question) return;
    if (!window.confirm(question)) { event.preventDefault(); return; }
    if (!form.elements.confirm) {
      const field = document.createElement("input");
      field.type = "hidden";
      field.name = "confirm";
      field.value = "yes";
      form.append(field);
    }
  });

  // The log's level filter applies at once, to the lines already shown and to those that arrive.
  const levelFilter = () => {
    const select = $("#log-level");
    const log = $("#log");
    if (!select || !log) return;
    select.addEventListener("change", () => {
      log.dataset.level = select.value;
      const url = new URL(location.href);
      url.searchParams.set("level", select.value);
      history.replaceState(null, "", url);
    });
  };

  // Selecting every dead letter on the page at once.
  const selectAll = () => {
    const all = $("#select-all");
    if (all) all.addEventListener("change", () => $$("input[name=id]").forEach(box => { box.checked = all.checked; }));
  };

  // Keyboard: j/k move through a list, Enter opens, / searches, t switches the theme, ? shows the keys, and
  // g then a letter goes to a page.
  const pages = { o: "/ui", j: "/ui/jobs", n: "/ui/jobs/new", q: "/ui/queue", x: "/ui/dead", d: "/ui/documents", s: "/ui/settings" };
  let selected = -1;
  let awaitingPage = false;
  const rows = () => $$("[data-row]");
  const select = index => {
    const all = rows();
    if (all.length === 0) return;
    selected = Math.max(0, Math.min(all.length - 1, index));
    all.forEach((row, i) => row.classList.toggle("selected", i === selected));
    all[selected].scrollIntoView({ block: "nearest" });
  };
  const typing = element => element && (element.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(element.tagName));
  document.addEventListener("keydown", event => {
    if (event.metaKey || event.ctrlKey || event.altKey) return;
    if (typing(event.target)) {
      if (event.key === "Escape") event.target.blur();
      return;
    }
    if (awaitingPage) {
      awaitingPage = false;
      if (pages[event.key]) location.href = pages[event.key];
      return;
    }
    const help = $("#keys");
    switch (event.key) {
      case "g": awaitingPage = true; setTimeout(() => { awaitingPage = false; }, 1500); break;
      case "j": select(selected + 1); break;
      case "k": select(selected - 1); break;
      case "Enter": {
        const link = selected >= 0 && rows()[selected] ? $("a", rows()[selected]) : null;
        if (link) link.click();
        break;
      }
      case "/": {
        const search = $("input[type=search]");
        if (search) { event.preventDefault(); search.focus(); }
        break;
      }
      case "t": cycleTheme(); break;
      case "?": if (help) help.hidden = !help.hidden; break;
      case "Escape": if (help) help.hidden = true; break;
      default: return;
    }
  });

  document.addEventListener("DOMContentLoaded", () => {
    applyTheme(storedTheme());
    const button = $("#theme");
    if (button) { button.hidden = false; button.addEventListener("click", cycleTheme); }
    levelFilter();
    selectAll();
    if (!document.hidden) connect();
  });
})();
