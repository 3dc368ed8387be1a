// The Mini App's progress screen: a year of reviews as a heatmap, the next 30 days' due questions
// as bars, each deck's retention, and the hardest cards with Review now.
// Both charts are SVG built with createElementNS, each one focusable element whose arrow keys
// move the selected day (roving focus); the selected day is told on a details line read out by
// screen readers, and a visually hidden table carries each chart's numbers too.
// Sentences come from t() (bot/views/webapp_progress.py); the DOM is built with el() only.

import { api, ApiError, t, el, haptic, notify, closeApp, uid } from "./app.js";

const SVG_NS = "http://www.w3.org/2000/svg";
const CELL = 14; // a heatmap day's square, gap included
const GAP = 3;
const WEEK_DAYS = 7;
const LEVELS = 4; // colour levels for days with reviews; level 0 is a day without any
const BAR_WIDTH = 10;
const BAR_GAP = 4;
const BAR_HEIGHT = 110;
const AXIS_HEIGHT = 18;
const MAX_PICKED = 20;

/** An SVG element: attributes from `attrs`, string children as text nodes. Never markup. */
function svg(tag, attrs = {}, ...children) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value !== null && value !== undefined && value !== false) {
      node.setAttribute(name, String(value));
    }
  }
  for (const child of children) {
    node.append(typeof child === "string" ? document.createTextNode(child) : child);
  }
  return node;
}

/** The page's language, as app.js set it from the session. */
function language() {
  return document.documentElement.lang || "en";
}

/** A learning day ("YYYY-MM-DD") as the reader's language writes a date. */
function formatDay(day, long = true) {
  const options = long
    ? { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" }
    : { day: "numeric", month: "short", timeZone: "UTC" };
  return new Intl.DateTimeFormat(language(), options).format(new Date(`${day}T00:00:00Z`));
}

/** A share 0..1 as a percentage in the reader's language. */
function formatPercent(share) {
  return new Intl.NumberFormat(language(), { style: "percent", maximumFractionDigits: 0 }).format(share);
}

/** A number in the reader's language. */
function formatNumber(value, digits = 0) {
  return new Intl.NumberFormat(language(), {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  }).format(value);
}

/** The colour level of a day's count: 0 for none, then LEVELS equal bands up to the peak (as the
 * /stats picture bins them, bot/views/charts.py level_edges). */
function levelOf(count, peak) {
  if (count <= 0) {
    return 0;
  }
  const step = Math.max(1, Math.ceil(peak / LEVELS));
  return Math.min(LEVELS, 1 + Math.floor((count - 1) / step));
}

/** A visually hidden table of `rows` ([day, number]) under `caption`: the chart for readers. */
function hiddenTable(caption, numberKey, rows) {
  // The wrapper is what hides: a table keeps its rows' height whatever its own size says.
  return el(
    "div",
    { class: "visually-hidden" },
    el(
    "table",
    {},
    el("caption", {}, caption),
    el(
      "thead",
      {},
      el("tr", {}, el("th", { scope: "col" }, t("progress.column_day")), el("th", { scope: "col" }, t(numberKey))),
    ),
    el(
      "tbody",
      {},
      rows.map(([day, value]) => el("tr", {}, el("th", { scope: "row" }, formatDay(day)), el("td", {}, String(value)))),
    ),
    ),
  );
}

/** One focusable chart whose arrow keys (and taps) select one of `count` items.
 * `moves` maps a key to the index it leads to; `select(index)` draws and tells the choice. */
function rovingChart(chart, count, start, moves, select) {
  let current = start;
  const go = (index) => {
    current = Math.max(0, Math.min(count - 1, index));
    select(current);
  };
  chart.addEventListener("keydown", (event) => {
    const move = moves[event.key];
    if (move) {
      event.preventDefault();
      go(move(current));
    }
  });
  chart.addEventListener("focus", () => select(current));
  return (index) => {
    chart.focus();
    go(index);
  };
}

/** The heatmap: weeks as columns (oldest left), Monday to Sunday as rows. */
function heatmapSection(heatmap) {
  const detailsId = uid("heatmap-details");
  const details = el("p", { id: detailsId, class: "chart-details", "aria-live": "polite" });
  const offset = (new Date(`${heatmap[0].day}T00:00:00Z`).getUTCDay() + 6) % WEEK_DAYS; // Monday 0
  const weeks = Math.ceil((offset + heatmap.length) / WEEK_DAYS);
  const width = weeks * CELL;
  const height = WEEK_DAYS * CELL;
  const peak = Math.max(0, ...heatmap.map((d) => d.reviews));
  const chart = svg("svg", {
    class: "heatmap",
    width,
    height,
    viewBox: `0 0 ${width} ${height}`,
    role: "img",
    tabindex: "0",
    "aria-label": t("progress.heatmap_chart"),
    "aria-describedby": detailsId,
  });
  const cells = heatmap.map((d, index) => {
    const place = offset + index;
    const label = t("progress.day_reviews", { date: formatDay(d.day), count: d.reviews });
    const cell = svg(
      "rect",
      {
        x: Math.floor(place / WEEK_DAYS) * CELL,
        y: (place % WEEK_DAYS) * CELL,
        width: CELL - GAP,
        height: CELL - GAP,
        rx: 2,
        class: `heat heat-${levelOf(d.reviews, peak)}`,
        "data-day": d.day,
      },
      svg("title", {}, label),
    );
    chart.append(cell);
    return cell;
  });
  const select = (index) => {
    cells.forEach((cell, i) => cell.classList.toggle("selected", i === index));
    const d = heatmap[index];
    details.textContent = t("progress.day_reviews", { date: formatDay(d.day), count: d.reviews });
  };
  const pick = rovingChart(chart, heatmap.length, heatmap.length - 1, {
    ArrowUp: (i) => i - 1,
    ArrowDown: (i) => i + 1,
    ArrowLeft: (i) => i - WEEK_DAYS,
    ArrowRight: (i) => i + WEEK_DAYS,
    Home: () => 0,
    End: () => heatmap.length - 1,
  }, select);
  cells.forEach((cell, index) => cell.addEventListener("click", () => pick(index)));
  const scroller = el("div", { class: "chart-scroll" }, chart);
  const legend = el(
    "div",
    { class: "heat-legend", "aria-hidden": "true" },
    el("span", {}, t("progress.fewer")),
    Array.from({ length: LEVELS + 1 }, (_, level) =>
      svg("svg", { width: CELL - GAP, height: CELL - GAP, class: "legend-cell" },
        svg("rect", { width: CELL - GAP, height: CELL - GAP, rx: 2, class: `heat heat-${level}` })),
    ),
    el("span", {}, t("progress.more")),
  );
  const busy = heatmap.filter((d) => d.reviews > 0).map((d) => [d.day, d.reviews]);
  const section = el(
    "section",
    { class: "progress-section", "aria-labelledby": `${detailsId}-h` },
    el("h2", { id: `${detailsId}-h` }, t("progress.heatmap")),
    el("p", { class: "hint" }, t("progress.heatmap_hint")),
    scroller,
    legend,
    details,
    hiddenTable(t("progress.heatmap_chart"), "progress.column_reviews", busy),
  );
  // The latest weeks are the ones to see first: scroll to the right once laid out.
  window.requestAnimationFrame(() => {
    scroller.scrollLeft = scroller.scrollWidth;
  });
  return section;
}

/** The forecast: one bar per day, today first (overdue questions counted today). */
function forecastSection(forecast) {
  const detailsId = uid("forecast-details");
  const details = el("p", { id: detailsId, class: "chart-details", "aria-live": "polite" });
  const peak = Math.max(1, ...forecast.map((d) => d.due));
  const step = BAR_WIDTH + BAR_GAP;
  const width = forecast.length * step;
  const height = BAR_HEIGHT + AXIS_HEIGHT;
  const chart = svg("svg", {
    class: "forecast",
    viewBox: `0 0 ${width} ${height}`,
    preserveAspectRatio: "none",
    role: "img",
    tabindex: "0",
    "aria-label": t("progress.forecast_chart"),
    "aria-describedby": detailsId,
  });
  const bars = forecast.map((d, index) => {
    const label = t("progress.day_due", { date: formatDay(d.day), count: d.due });
    const tall = d.due > 0 ? Math.max(2, (d.due / peak) * BAR_HEIGHT) : 0;
    // The whole column answers a tap, not only its bar: a day with few questions is easy to hit.
    const column = svg(
      "g",
      { class: index === 0 ? "bar today" : "bar", "data-day": d.day },
      svg("title", {}, label),
      svg("rect", { class: "bar-hit", x: index * step, y: 0, width: step, height: BAR_HEIGHT }),
      svg("rect", { class: "bar-fill", x: index * step + BAR_GAP / 2, y: BAR_HEIGHT - tall, width: BAR_WIDTH, height: tall }),
    );
    chart.append(column);
    return column;
  });
  chart.append(
    svg("line", { class: "axis", x1: 0, x2: width, y1: BAR_HEIGHT + 0.5, y2: BAR_HEIGHT + 0.5 }),
    svg("text", { class: "axis-label", x: 0, y: height - 4 }, formatDay(forecast[0].day, false)),
    svg(
      "text",
      { class: "axis-label", x: width, y: height - 4, "text-anchor": "end" },
      formatDay(forecast[forecast.length - 1].day, false),
    ),
  );
  const select = (index) => {
    bars.forEach((bar, i) => bar.classList.toggle("selected", i === index));
    const d = forecast[index];
    details.textContent = t("progress.day_due", { date: formatDay(d.day), count: d.due });
  };
  const pick = rovingChart(chart, forecast.length, 0, {
    ArrowLeft: (i) => i - 1,
    ArrowRight: (i) => i + 1,
    ArrowUp: (i) => i - 1,
    ArrowDown: (i) => i + 1,
    Home: () => 0,
    End: () => forecast.length - 1,
  }, select);
  bars.forEach((bar, index) => bar.addEventListener("click", () => pick(index)));
  return el(
    "section",
    { class: "progress-section", "aria-labelledby": `${detailsId}-h` },
    el("h2", { id: `${detailsId}-h` }, t("progress.forecast")),
    el("p", { class: "hint" }, t("progress.forecast_hint")),
    chart,
    details,
    hiddenTable(
      t("progress.forecast_chart"),
      "progress.column_due",
      forecast.map((d) => [d.day, d.due]),
    ),
  );
}

/** Each deck: its retention over 30 days, its reviews, its questions due now. */
function decksSection(decks) {
  const headingId = uid("decks");
  const body = decks.length
    ? el(
        "ul",
        { class: "deck-stats" },
        decks.map((deck) =>
          el(
            "li",
            {},
            el("h3", {}, deck.title),
            el(
              "p",
              { class: "deck-retention" },
              deck.retention === null
                ? t("progress.no_retention")
                : t("progress.retention", { percent: formatPercent(deck.retention) }),
            ),
            el(
              "p",
              { class: "hint" },
              `${t("progress.deck_reviews", { count: deck.reviews })} · ${t("progress.deck_due", { count: deck.due })}`,
            ),
          ),
        ),
      )
    : el("p", { class: "hint" }, t("progress.no_decks"));
  return el(
    "section",
    { class: "progress-section", "aria-labelledby": headingId },
    el("h2", { id: headingId }, t("progress.decks")),
    body,
  );
}

/** Starts a quiz of the picked cards in the chat, then closes the page to land there. */
async function reviewNow(cardIds, button) {
  if (!cardIds.length) {
    haptic("warning");
    notify(t("progress.pick_first"), "error");
    return;
  }
  if (button.disabled) {
    return; // a second tap while the first is on its way
  }
  // Busy until the bot answers: disabled, and said so to screen readers.
  button.disabled = true;
  button.setAttribute("aria-busy", "true");
  try {
    await api("POST", "/review", { card_ids: cardIds.slice(0, MAX_PICKED) });
  } catch (err) {
    haptic("error");
    notify(err instanceof ApiError ? err.message : t("progress.error"), "error");
    return;
  } finally {
    button.disabled = false;
    button.removeAttribute("aria-busy");
  }
  haptic("success");
  // Outside Telegram the page stays open: it says where the quiz went.
  notify(t("progress.review_sent"));
  closeApp();
}

/** The hardest cards, each with a checkbox, and one button reviewing the picked ones now. */
function hardestSection(hardest) {
  const headingId = uid("hardest");
  const section = el(
    "section",
    { class: "progress-section", "aria-labelledby": headingId },
    el("h2", { id: headingId }, t("progress.hardest")),
  );
  if (!hardest.length) {
    section.append(el("p", { class: "hint" }, t("progress.no_hardest")));
    return section;
  }
  const hintId = uid("hardest-hint");
  const boxes = [];
  const items = hardest.map((card) => {
    const id = uid("hard-card");
    const detailId = `${id}-detail`;
    const box = el("input", {
      type: "checkbox",
      id,
      value: String(card.card_id),
      "aria-describedby": detailId,
    });
    boxes.push(box);
    return el(
      "li",
      { class: "hard-card" },
      box,
      el(
        "label",
        { for: id },
        el("span", { class: "hard-front" }, card.front),
        el(
          "span",
          { id: detailId, class: "hint hard-detail" },
          t("progress.card_detail", {
            deck: card.deck_title,
            lapses: card.lapses,
            difficulty: formatNumber(card.difficulty, 1),
          }),
        ),
      ),
    );
  });
  const button = el("button", { type: "button", class: "primary" }, t("progress.review_selected"));
  button.addEventListener("click", () => {
    const picked = boxes.filter((box) => box.checked).map((box) => Number(box.value));
    reviewNow(picked, button);
  });
  section.append(
    el("p", { id: hintId, class: "hint" }, t("progress.hardest_hint")),
    el("ul", { class: "hard-cards", "aria-describedby": hintId }, items),
    el("div", { class: "button-row" }, button),
  );
  return section;
}

/** Whether there is nothing to show yet: no review in the year, nothing due, no hard card. */
function isEmpty(data) {
  return (
    !data.heatmap.some((d) => d.reviews > 0) &&
    !data.forecast.some((d) => d.due > 0) &&
    !data.hardest.length
  );
}

/** The progress screen (the home's Progress tab). */
export function progressScreen() {
  return {
    get title() {
      return t("progress.title");
    },
    async render(root) {
      const data = await api("GET", "/progress");
      root.append(el("h1", { class: "screen-title", tabindex: "-1" }, t("progress.title")));
      if (isEmpty(data)) {
        root.append(el("p", { class: "empty-state" }, t("progress.empty")));
        return;
      }
      root.append(
        heatmapSection(data.heatmap),
        forecastSection(data.forecast),
        decksSection(data.decks),
        hardestSection(data.hardest),
      );
    },
  };
}
