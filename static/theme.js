// Applied before first paint so the page never flashes the wrong theme. The toggle stores
// "light" | "dark" in localStorage; absent means "follow the system".
(function () {
  try {
    var t = localStorage.getItem("litekpi-theme");
    if (t === "light" || t === "dark") document.documentElement.setAttribute("data-theme", t);
  } catch (e) {}
})();
