/*
 * LiteKPI's browser tracker, readable source. Served minified and gzipped from GET /t.js
 * (scripts/vendor.ts minifies it with Bun's bundler into static/vendor/t.js; R13: ≤ 1 KB
 * gzipped as served, asserted by test/web/tracker-size.test.ts).
 *
 * <script defer src="BASE_URL/t.js" data-site="site_…"></script>
 * Tag options (DESIGN.md "Web analytics"): data-api (endpoint base), data-persist (attribution
 * mode: a random id in localStorage for N days, default 30), data-exclude (comma-separated path
 * globs; * stays inside a segment, ** crosses them), data-hash (count #routes), data-dnt (honour
 * Do Not Track).
 *
 * Written as top-level code: the bundler's iife format wraps it, so nothing leaks into the page.
 * Rules it keeps: never sets a cookie; in privacy mode (no data-persist) touches no storage;
 * never throws into the host page (every entry point runs through safe()); sends with
 * navigator.sendBeacon, text/plain, so no CORS preflight is needed.
 *
 * Wire format of POST /api/track (one JSON object per request):
 *   site  site token           n   event name: "pageview", "engagement", a goal or event name,
 *   u     page URL, with its #fragment only under data-hash (so a fragment in u means: count it)
 *   r     document.referrer    w   window.innerWidth
 *   p     props (goal/track)   rev revenue { amount, currency } (goal only)
 *   v     visitor id (attribution mode only)
 *   e     engagement ms since this page's last engagement ping; sd max scroll depth in % (an
 *         elastic overscroll can report a little over 100: the server clamps)
 * identify(idOrEmail) is the event "identify" with p = { id }.
 */
const w = window;
const d = document;
const loc = location;
const now = Date.now;
// Everything the host page can reach runs through safe(): nothing ever throws into it.
const safe = (f) => (...args) => {
  try {
    return f(...args);
  } catch {}
};
// Capture phase: a host page that stops propagation still has its clicks and submits counted.
const on = (target, type, f) => target.addEventListener(type, safe(f), true);
const queued = w.litekpi?.q;
const api = (w.litekpi = {});

safe(() => {
  // The API first: should anything below fail, calls still reach safe() (a ReferenceError) and
  // never throw into the page. goal() and track() send the same; the server decides what counts
  // as a goal (DESIGN.md "Goals and funnels").
  api.goal = api.track = safe((name, { revenue, ...p } = {}) => send(name, { p, rev: revenue }));
  api.identify = safe((id) => id && send("identify", { p: { id } }));
  api.visitorId = safe(() => visitor()); // undefined in privacy mode

  const tag = d.currentScript; // set for classic scripts: deferred, async or inserted (GTM) alike
  const opt = tag.dataset;
  const site = opt.site;
  // The script's own folder unless data-api names another base ("https://x.com", "/stats").
  const endpoint = (opt.api || tag.src.replace(/[^/]*$/, "")).replace(/\/*$/, "/api/track");
  const hash = "hash" in opt;
  const persist = opt.persist;
  // No site token, or Do Not Track when the tag asks to honour it: the API stays and sends nothing.
  const off = !site || ("dnt" in opt && navigator.doNotTrack == 1);
  // "/blog/*" stays inside one path segment, "/docs/**" crosses them; every other character is literal.
  const excluded = opt.exclude
    ?.split(/ *, */)
    .map((glob) => RegExp("^" + glob.replace(/\W/g, "\\$&").replace(/\\\*\\\*/g, ".*").replace(/\\\*/g, "[^/]*") + "$"));
  const path = () => loc.pathname + (hash ? loc.hash : "");
  const url = () => (hash ? loc.href : loc.href.split("#")[0]);
  let lastKey, lastUrl, depth, visibleSince;

  // Attribution mode only: "<expiry ms>-<random digits>" in localStorage ("1767225600000-8273…"; the
  // endpoint takes 8–64 of [A-Za-z0-9_-]), read on each send so tabs agree. Math.random's 52 bits make a clash between two visitors of one site
  // within a window negligible, and unlike crypto.randomUUID it works on plain http too.
  const visitor = safe(() => {
    if (persist != null) {
      const store = localStorage; // never touched in privacy mode
      return parseInt(store.litekpi) > now() ? store.litekpi : (store.litekpi = now() + (+persist || 30) * 864e5 + "-" + ("" + Math.random()).slice(2));
    }
  });

  // A beacon outlives the page, never throws when the server is down, and as a string is
  // text/plain (no CORS preflight). Nothing is sent when off or on an excluded path.
  const send = (n, extra) =>
    off ||
    excluded?.some((re) => re.test(loc.pathname)) ||
    navigator.sendBeacon(endpoint, JSON.stringify({ site, n, u: lastUrl, r: d.referrer, w: innerWidth, v: visitor(), h: hash, ...extra }));

  const scrolled = () => (depth = Math.max(depth, (((scrollY + innerHeight) / d.documentElement.scrollHeight) * 100) | 0));

  // The page's visible time since its last ping, and its scroll depth: sent on hide and on leave.
  const engage = () => {
    scrolled();
    send("engagement", { e: now() - visibleSince, sd: depth });
    visibleSince = now(); // a hidden page restarts the clock when it is shown again
  };

  const page = safe(() => {
    // The same path again (replaceState with new query, a repeated popstate) is no new page.
    if (lastKey == (lastKey = path())) return;
    lastUrl && engage(); // the page being left; none before the first page view
    lastUrl = url(); // every event until the next page view is about this page
    depth = 0;
    visibleSince = now();
    send("pageview");
  });


  // data-goal="signup" data-goal-plan="pro": a click, or a form's submit (a form counts only on submit).
  const onGoal = (event) => {
    const el = event.target.closest("[data-goal]");
    if (!el || (event.type == "click") == (el.tagName == "FORM")) return;
    const p = {};
    for (const a of el.attributes) if (a.name.startsWith("data-goal-")) p[a.name.slice(10)] = a.value;
    send(el.dataset.goal, { p });
  };
  on(d, "click", onGoal);
  on(d, "submit", onGoal);

  // pushState and replaceState return nothing, so the wrapper returns nothing either.
  for (const method of ["pushState", "replaceState"]) {
    const original = history[method];
    history[method] = (...args) => {
      original.apply(history, args);
      page();
    };
  }
  // Following a #link fires popstate too (HTML "navigate to a fragment"), which data-hash counts.
  on(w, "popstate", page);
  on(w, "scroll", scrolled);
  on(d, "visibilitychange", () => (d.hidden ? engage() : (visibleSince = now())));

  page();
  // Calls made before the script loaded: litekpi.q = [[method, args], …] (see the install page).
  for (const [method, args] of queued || []) api[method]?.(...args);
})();
