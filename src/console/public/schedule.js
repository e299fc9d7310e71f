// The clinic calendar: FullCalendar draws the clinic's wall-clock times (sent without an
// offset and shown as "UTC", so the browser's own zone never shifts them); a drop asks the
// server to move the appointment under the booking rules and reverts when it says no.
(function () {
  var host = document.getElementById("calendar");
  if (!host || !window.FullCalendar) return;
  var d = host.dataset;
  var message = document.getElementById("calendar-message");
  var filters = document.getElementById("schedule-filters");
  var VIEW_NAMES = { timeGridDay: "day", timeGridWeek: "week", dayGridMonth: "month" };

  function csrf() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  function say(text, kind) {
    message.textContent = text;
    message.className = "calendar-message " + kind;
    message.setAttribute("role", kind === "alert" ? "alert" : "status");
    message.hidden = false;
  }

  var params = {};
  if (d.doctor) params.doctor = d.doctor;
  if (d.specialty) params.specialty = d.specialty;

  var calendar = new window.FullCalendar.Calendar(host, {
    timeZone: "UTC",
    locale: d.locale,
    initialView: d.view,
    initialDate: d.date,
    firstDay: 1,
    height: "auto",
    allDaySlot: false,
    slotMinTime: "08:00:00",
    slotMaxTime: "20:00:00",
    slotDuration: "00:15:00",
    slotLabelInterval: "01:00",
    nowIndicator: false,
    dayMaxEvents: 4,
    headerToolbar: { left: "prev,next today", center: "title", right: "timeGridDay,timeGridWeek,dayGridMonth" },
    businessHours: JSON.parse(d.businessHours || "[]"),
    editable: d.editable === "true",
    eventDurationEditable: false,
    eventStartEditable: d.editable === "true",
    events: { url: d.feed, extraParams: params },
    datesSet: function (info) {
      // The filter form keeps the view and date the staff member is looking at.
      if (!filters) return;
      filters.elements.view.value = VIEW_NAMES[info.view.type] || "week";
      filters.elements.date.value = info.view.currentStart.toISOString().slice(0, 10);
    },
    eventDrop: function (info) {
      var start = info.event.startStr.slice(0, 16);
      message.hidden = true;
      fetch("/appointments/" + encodeURIComponent(info.event.id) + "/move", {
        method: "POST",
        credentials: "same-origin",
        headers: { "content-type": "application/json", accept: "application/json", "x-csrf-token": csrf() },
        body: JSON.stringify({ start: start }),
      })
        .then(function (res) {
          var json = (res.headers.get("content-type") || "").indexOf("json") >= 0;
          return (json ? res.json() : Promise.resolve({})).then(function (body) {
            return { ok: res.ok, body: body };
          });
        })
        .then(function (answer) {
          if (answer.ok) {
            say(answer.body.message || d.moved, "notice");
            calendar.refetchEvents();
          } else {
            info.revert();
            say(answer.body.error || d.failed, "alert");
          }
        })
        .catch(function () {
          info.revert();
          say(d.failed, "alert");
        });
    },
  });
  calendar.render();
})();
