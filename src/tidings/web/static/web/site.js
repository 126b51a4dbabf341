// Small progressive enhancements; the site works without JavaScript.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-copy]");
  if (!button) return;
  navigator.clipboard?.writeText(button.dataset.copy).then(() => {
    const label = button.textContent;
    button.textContent = "Link copied";
    setTimeout(() => { button.textContent = label; }, 2000);
  });
});

// Readers: every htmx request carries the CSRF token from its cookie (none is in the page,
// so cached fragments are the same for every reader).
function csrfToken() {
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  return match ? decodeURIComponent(match[1]) : "";
}
document.addEventListener("htmx:configRequest", (event) => {
  event.detail.headers["X-CSRFToken"] = csrfToken();
});

// Readers: My Reads. A story counts as read after 10 s visible or half of it scrolled; the
// furthest progress is sent again when the reader leaves. Only for signed-in readers.
(() => {
  const story = document.querySelector("[data-track-reading]");
  if (!story) return;
  const articleId = Number(story.dataset.articleId);
  const headers = { "X-CSRFToken": csrfToken() };
  let visibleMs = 0, lastTick = Date.now(), furthest = 0, sent = false, sentProgress = -1;
  const progress = () => {
    const box = story.getBoundingClientRect();
    const seen = window.innerHeight - box.top;
    return Math.max(0, Math.min(100, Math.round((seen / Math.max(box.height, 1)) * 100)));
  };
  const send = (keepalive) => {
    if (furthest === sentProgress && sent) return;
    sent = true; sentProgress = furthest;
    fetch("/api/me/read-events", {
      method: "POST", credentials: "same-origin", keepalive,
      headers: { "Content-Type": "application/json", ...headers },
      body: JSON.stringify({ article_id: articleId, seconds: Math.round(visibleMs / 1000), progress: furthest }),
    }).catch(() => {});
  };
  const tick = () => {
    const now = Date.now();
    if (document.visibilityState === "visible") visibleMs += now - lastTick;
    lastTick = now;
    furthest = Math.max(furthest, progress());
    if (!sent && (visibleMs >= 10000 || furthest >= 50)) send(false);
  };
  setInterval(tick, 1000);
  window.addEventListener("scroll", tick, { passive: true });
  document.addEventListener("visibilitychange", () => {
    tick();
    if (document.visibilityState === "hidden" && sent) send(true);
  });
})();

// Close a card's ⋯ menu after a choice; let toasts fade after a while.
document.addEventListener("htmx:afterRequest", (event) => {
  event.target.closest?.(".card-menu")?.removeAttribute("open");
  const toast = document.querySelector("#toast .toast");
  if (toast) setTimeout(() => toast.remove(), 8000);
});
