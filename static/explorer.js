// The event explorer's live stream: an EventSource on the page's stream URL (filters are applied
// on the server), newest first, at most 200 rows kept. The browser closes the stream when the
// tab goes; the server also ends it when the request is aborted.
(function () {
  "use strict";
  const list = document.getElementById("live-events");
  if (!list || !window.EventSource) return;
  const status = document.getElementById("live-status");
  const MAX_ROWS = 200;
  const source = new EventSource(list.dataset.stream);
  source.addEventListener("open", () => { if (status) status.textContent = "Live: waiting for events…"; });
  source.addEventListener("error", () => { if (status) status.textContent = "Reconnecting…"; });
  source.addEventListener("event", (msg) => {
    const e = JSON.parse(msg.data);
    const li = document.createElement("li");
    li.className = "live-event";
    li.dataset.seq = String(e.seq);
    const link = document.createElement("a");
    link.href = list.dataset.detail.replace("SEQ", String(e.seq));
    link.textContent = e.event;
    const time = document.createElement("time");
    time.textContent = " " + e.timestamp + " ";
    const props = document.createElement("code");
    props.textContent = JSON.stringify(e.properties);
    li.append(link, time, props);
    list.prepend(li);
    while (list.children.length > MAX_ROWS) list.lastElementChild.remove();
    if (status) status.textContent = "Live";
  });
  window.addEventListener("pagehide", () => source.close());
})();
