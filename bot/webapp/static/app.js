// The Mini App's shell: the API client, sentences, the DOM helper, the screen stack with
// Telegram's Back button, haptics, the status line, and the home with its two tabs.
// It holds no sentence of its own: every text comes from t(), sent by GET /app/api/session in
// the person's language. The DOM is built with createElement/textContent only (el()).

const tg = window.Telegram && window.Telegram.WebApp ? window.Telegram.WebApp : null;

let strings = {};
let session = null;
const stack = [];
let homeTab = "decks";
let rendering = 0;

/** An API refusal: the HTTP status, the error code and sentence the server sent, its body. */
export class ApiError extends Error {
  constructor(status, code, message, body) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.body = body;
  }
}

/** The raw initData Telegram handed the page ("" when opened outside Telegram). */
function initData() {
  return (tg && tg.initData) || "";
}

/** The Authorization header every API call carries (the raw initData), when there is one. */
function authHeaders() {
  const data = initData();
  return data ? { Authorization: `tma ${data}` } : {};
}

/** Sends one request to `path` under /app/api with the person's Authorization header; the
 * response, or an ApiError "offline" when the bot could not be reached. */
export async function send(path, init = {}) {
  const url = `api${path.startsWith("/") ? path : `/${path}`}`;
  const headers = { ...authHeaders(), ...(init.headers || {}) };
  try {
    return await fetch(url, { credentials: "omit", cache: "no-store", ...init, headers });
  } catch (err) {
    throw new ApiError(0, "offline", t("webapp.offline"), null);
  }
}

/** A response's JSON (null when it has none); an ApiError with the server's sentence when the
 * server refused. */
export async function answerOf(response) {
  let parsed = null;
  if ((response.headers.get("Content-Type") || "").startsWith("application/json")) {
    try {
      parsed = await response.json();
    } catch (err) {
      parsed = null;
    }
  }
  if (!response.ok) {
    const error = (parsed && parsed.error) || {};
    throw new ApiError(
      response.status,
      error.code || "failed",
      error.message || t("webapp.failed"),
      parsed,
    );
  }
  return parsed;
}

/** Calls the API (`path` under /app/api, e.g. "/decks"); the parsed JSON, or throws ApiError. */
export async function api(method, path, body) {
  const verb = method.toUpperCase();
  const init = { method: verb, headers: { Accept: "application/json" } };
  if (verb !== "GET" && verb !== "HEAD") {
    // Writes are always JSON: the server refuses anything else (415).
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body === undefined ? {} : body);
  }
  return answerOf(await send(path, init));
}

/** The sentence for `key` in the person's language, `{name}` placeholders filled from `values`. */
export function t(key, values) {
  const text = Object.prototype.hasOwnProperty.call(strings, key) ? strings[key] : key;
  if (!values) {
    return text;
  }
  return text.replace(/\{(\w+)\}/g, (whole, name) =>
    Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : whole,
  );
}

// Properties el() never sets: markup from data, and inline handlers (the CSP forbids them anyway).
const FORBIDDEN_PROPS = new Set(["innerHTML", "outerHTML", "srcdoc", "style"]);
const BOOLEAN_PROPS = new Set(["checked", "disabled", "selected", "hidden", "multiple", "readOnly"]);

/** Appends `children` (nodes, strings as text, arrays of them; null/false skipped) to `node`. */
function appendChildren(node, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) {
      continue;
    }
    if (Array.isArray(child)) {
      appendChildren(node, child);
    } else if (child instanceof Node) {
      node.append(child);
    } else {
      node.append(document.createTextNode(String(child)));
    }
  }
}

/** An element: `props` are attributes (`class`, `for`, `aria-*` ...) and on<Event> listeners. */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(props || {})) {
    if (FORBIDDEN_PROPS.has(name)) {
      throw new Error(`el(): "${name}" is not allowed`);
    }
    if (value === null || value === undefined || value === false) {
      continue;
    }
    if (/^on[A-Z]/.test(name) || (name.startsWith("on") && typeof value === "function")) {
      if (typeof value !== "function") {
        throw new Error(`el(): ${name} must be a function`);
      }
      node.addEventListener(name.slice(2).toLowerCase(), value);
    } else if (name === "class") {
      node.className = Array.isArray(value) ? value.filter(Boolean).join(" ") : String(value);
    } else if (name === "for") {
      node.htmlFor = String(value);
    } else if (name === "value" && "value" in node) {
      node.value = String(value);
    } else if (BOOLEAN_PROPS.has(name)) {
      node[name] = Boolean(value);
    } else {
      node.setAttribute(name, value === true ? "" : String(value));
    }
  }
  appendChildren(node, children);
  return node;
}

let uniqueCounter = 0;

/** A fresh element id, so labels and descriptions point at the right field on every render. */
export function uid(prefix) {
  uniqueCounter += 1;
  return `${prefix}-${uniqueCounter}`;
}

/** A light tap, a success, a warning or an error felt in the hand (Telegram only). */
export function haptic(kind) {
  const feedback = tg && tg.HapticFeedback;
  if (!feedback || !tg.isVersionAtLeast || !tg.isVersionAtLeast("6.1")) {
    return;
  }
  try {
    if (kind === "light") {
      feedback.impactOccurred("light");
    } else if (kind === "success" || kind === "error" || kind === "warning") {
      feedback.notificationOccurred(kind);
    }
  } catch (err) {
    // An older Telegram without haptics: nothing to feel.
  }
}

/** Says `message` on the status line (read out by screen readers); "error" shows it as one. */
export function notify(message, kind = "info") {
  const status = document.getElementById("status");
  if (!status) {
    return;
  }
  status.className = kind === "error" ? "status status-error" : "status";
  // Emptied first, so the same sentence twice is announced twice.
  status.textContent = "";
  window.setTimeout(() => {
    status.textContent = message;
  }, 30);
}

/** Whether a Telegram client hosts the page: what telegram-web-app.js itself posts events to (a
 * mobile client's proxy, the desktop client's window.external, Telegram Web's parent frame).
 * Outside one, Telegram's popups have nobody to show them and would never answer. */
function insideTelegram() {
  if (!tg || tg.platform === "unknown") {
    return false;
  }
  return (
    window.TelegramWebviewProxy !== undefined ||
    Boolean(window.external && "notify" in window.external) ||
    window.parent !== window
  );
}

/** Empties the status line: what it said belonged to the screen the person just left. */
function quiet() {
  const status = document.getElementById("status");
  if (status) {
    status.className = "status";
    status.textContent = "";
  }
}

// The longest message Telegram's popup takes (telegram-web-app.js refuses a longer one).
const POPUP_MAX_CHARS = 256;

/** Asks a yes/no question: Telegram's own dialog inside Telegram, the browser's outside it. */
export function ask(message) {
  if (insideTelegram() && tg.showConfirm && tg.isVersionAtLeast && tg.isVersionAtLeast("6.2")) {
    const text = message.length > POPUP_MAX_CHARS ? `${message.slice(0, POPUP_MAX_CHARS - 1)}…` : message;
    return new Promise((resolve) => {
      try {
        tg.showConfirm(text, (ok) => resolve(Boolean(ok)));
      } catch (err) {
        resolve(window.confirm(message));
      }
    });
  }
  return Promise.resolve(window.confirm(message));
}

/** Closes the Mini App (back to the chat); outside Telegram, closes the tab if it may. */
export function closeApp() {
  if (tg && tg.initData) {
    tg.close();
  } else {
    window.close();
  }
}

/** Shows `screen` ({title, render(root)}) over the current one. */
export function show(screen) {
  // A sentence said a moment ago (Deck created.) still shows: notify() writes it a beat later.
  quiet();
  stack.push(screen);
  return render();
}

/** Goes back to the screen under the current one. */
export function back() {
  if (stack.length > 1) {
    stack.pop();
  }
  return render();
}

/** Renders the current screen again from the server's current state. */
export function refresh() {
  return render();
}

/** Goes back as the person asked (Back button, Escape): a screen with unsaved changes may ask
 * first (its `canLeave()` answers whether to leave). The screens' own back() after a save does
 * not ask. */
async function leave() {
  const screen = stack[stack.length - 1];
  if (stack.length <= 1) {
    return;
  }
  if (screen && typeof screen.canLeave === "function" && !(await screen.canLeave())) {
    return;
  }
  if (stack[stack.length - 1] === screen) {
    quiet();
    await back();
  }
}

function onBackButton() {
  leave();
}

/** Whether focus is in a place that takes typing (Escape there belongs to the field). */
function typingIn(target) {
  if (!(target instanceof Element)) {
    return false;
  }
  if (target.tagName === "INPUT") {
    return !["checkbox", "radio", "button", "submit", "reset"].includes(target.type);
  }
  return target.isContentEditable || target.tagName === "TEXTAREA" || target.tagName === "SELECT";
}

/** Telegram's Back button: shown while a screen is stacked over the home. */
function syncBackButton() {
  const button = tg && tg.BackButton;
  if (!button || !tg.isVersionAtLeast || !tg.isVersionAtLeast("6.1")) {
    return;
  }
  if (stack.length > 1) {
    button.show();
  } else {
    button.hide();
  }
}

/** The home: a tab list (Decks, Progress) over the chosen tab's screen. */
function homeScreen(modules) {
  return {
    get title() {
      return t(homeTab === "decks" ? "webapp.tab_decks" : "webapp.tab_progress");
    },
    async render(root) {
      const tabs = [
        ["decks", "webapp.tab_decks"],
        ["progress", "webapp.tab_progress"],
      ];
      const panel = el("div", {
        id: "home-panel",
        role: "tabpanel",
        "aria-labelledby": `tab-${homeTab}`,
        class: "tab-panel",
      });
      const buttons = tabs.map(([name, key]) =>
        el(
          "button",
          {
            type: "button",
            role: "tab",
            id: `tab-${name}`,
            class: name === homeTab ? "tab tab-selected" : "tab",
            "aria-selected": name === homeTab ? "true" : "false",
            "aria-controls": "home-panel",
            tabindex: name === homeTab ? "0" : "-1",
            onClick: () => {
              if (homeTab !== name) {
                homeTab = name;
                quiet();
                haptic("light");
                render().then(() => {
                  const tab = document.getElementById(`tab-${name}`);
                  if (tab) {
                    tab.focus();
                  }
                });
              }
            },
            onKeydown: (event) => {
              // Arrow keys move between tabs, as in every tab list.
              if (event.key === "ArrowRight" || event.key === "ArrowLeft") {
                event.preventDefault();
                const next = tabs[(tabs.findIndex(([n]) => n === name) + 1) % tabs.length][0];
                document.getElementById(`tab-${next}`).click();
              }
            },
          },
          t(key),
        ),
      );
      root.append(el("div", { role: "tablist", class: "tabs", "aria-label": t("webapp.tabs") }, buttons), panel);
      const make = homeTab === "decks" ? modules.decksScreen : modules.progressScreen;
      if (typeof make !== "function") {
        panel.append(el("p", { class: "hint" }, t("webapp.unavailable")));
        return;
      }
      await make().render(panel);
    },
  };
}

/** Renders the top screen into <main>, focusing its heading (a screen change is announced). */
async function render() {
  const main = document.getElementById("app");
  const screen = stack[stack.length - 1];
  if (!main || !screen) {
    return;
  }
  const ticket = ++rendering;
  syncBackButton();
  const root = el("div", { class: "screen" });
  main.replaceChildren(root);
  main.setAttribute("aria-busy", "true");
  try {
    await screen.render(root);
  } catch (err) {
    if (ticket === rendering) {
      root.replaceChildren(failure(err));
    }
  } finally {
    if (ticket === rendering) {
      main.setAttribute("aria-busy", "false");
    }
  }
  if (ticket !== rendering) {
    return;
  }
  document.title = screen.title || t("webapp.title");
  const heading = root.querySelector("h1");
  if (heading && stack.length > 1) {
    if (!heading.hasAttribute("tabindex")) {
      heading.setAttribute("tabindex", "-1");
    }
    heading.focus();
  }
}

/** What shows where a screen could not be drawn: the reason and Try again. */
function failure(err) {
  const message = err instanceof ApiError ? err.message : t("webapp.failed");
  return el(
    "div",
    { class: "failure" },
    el("p", { class: "error-text" }, message),
    el("button", { type: "button", class: "primary", onClick: () => refresh() }, t("webapp.retry")),
  );
}

/** The page opened without valid initData: say where to open it from, nothing else. */
function refused(message) {
  const main = document.getElementById("app");
  main.setAttribute("aria-busy", "false");
  main.replaceChildren(
    el(
      "div",
      { class: "refused" },
      el("h1", {}, document.title),
      el("p", { class: "refused-text" }, message),
    ),
  );
}

/** Telegram's theme: its colours are CSS variables (set by telegram-web-app.js); dark or light. */
function applyTheme() {
  const scheme = (tg && tg.colorScheme) || "light";
  document.documentElement.dataset.scheme = scheme;
  if (tg && tg.setHeaderColor && tg.isVersionAtLeast && tg.isVersionAtLeast("6.1")) {
    try {
      tg.setHeaderColor("bg_color");
    } catch (err) {
      // An older Telegram keeps its own header colour.
    }
  }
}

async function start() {
  if (tg) {
    tg.ready();
    tg.expand();
    applyTheme();
    tg.onEvent("themeChanged", applyTheme);
    if (tg.BackButton) {
      tg.BackButton.onClick(onBackButton);
    }
  }
  // Escape goes back too, in a plain browser; not while typing, where it would lose the text.
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && stack.length > 1 && !event.defaultPrevented && !typingIn(event.target)) {
      leave();
    }
  });
  try {
    session = await api("GET", "/session");
  } catch (err) {
    // No sentences yet when the bot cannot be reached: a sign, and the page can be reloaded.
    refused(err instanceof ApiError && err.status !== 0 ? err.message : "📡 ✕");
    return;
  }
  strings = session.strings || {};
  document.documentElement.lang = session.locale || "en";
  document.title = t("webapp.title");
  const modules = {};
  // The screens live in their own modules; a missing one leaves its tab saying so.
  const [decks, progress] = await Promise.allSettled([import("./decks.js"), import("./progress.js")]);
  modules.decksScreen = decks.status === "fulfilled" ? decks.value.decksScreen : undefined;
  modules.progressScreen = progress.status === "fulfilled" ? progress.value.progressScreen : undefined;
  stack.length = 0;
  stack.push(homeScreen(modules));
  await render();
}

start();
