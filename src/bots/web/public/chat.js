// The web chat page: sends what the patient types or taps, shows the clinic's replies.
const log = document.getElementById("log");
const form = document.getElementById("composer");
const input = document.getElementById("message");
const root = document.querySelector(".chat");

const newId = () => {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
};

function bubble(text, from) {
  const item = document.createElement("li");
  item.className = `bubble from-${from}`;
  item.textContent = text;
  log.append(item);
  item.scrollIntoView({ block: "end" });
  return item;
}

function showReply(reply) {
  const item = bubble(reply.text, "clinic");
  if (reply.choices?.length) {
    const group = document.createElement("div");
    group.className = "choices";
    for (const choice of reply.choices) {
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = choice.label;
      button.addEventListener("click", () => {
        for (const b of group.querySelectorAll("button")) b.disabled = true;
        send({ payload: choice.id }, choice.label);
      });
      group.append(button);
    }
    item.append(group);
  }
}

// A failed send keeps its id, so retrying it can never book or answer twice.
async function send(body, shown, id = newId()) {
  if (shown) bubble(shown, "patient");
  try {
    const res = await fetch("/chat/messages", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      credentials: "same-origin",
      body: JSON.stringify({ ...body, clientMessageId: id }),
    });
    if (!res.ok && res.status >= 500) throw new Error(String(res.status));
    const data = await res.json();
    for (const reply of data.replies ?? []) showReply(reply);
    if (!res.ok && data.message) bubble(data.message, "clinic");
  } catch {
    const failed = document.createElement("li");
    failed.className = "failed";
    failed.textContent = `${root.dataset.error} `;
    const retry = document.createElement("button");
    retry.type = "button";
    retry.textContent = root.dataset.retry;
    retry.addEventListener("click", () => {
      failed.remove();
      send(body, null, id);
    });
    failed.append(retry);
    log.append(failed);
  }
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  const text = input.value;
  if (!text.trim()) return;
  input.value = "";
  send({ text }, text);
});

input.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey) {
    event.preventDefault();
    form.requestSubmit();
  }
});
