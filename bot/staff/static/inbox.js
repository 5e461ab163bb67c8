/*
 * The counsellors' live inbox: a client of the JSON API under /staff/api (see
 * bot/staff/inbox.py). Server-sent events (/staff/api/events) say when something changed;
 * the page then refetches the queue and the open case. Text is only ever inserted as text.
 */
(function () {
  "use strict";

  var CHANNELS = { web: "Web", telegram: "Telegram", zalo: "Zalo" };
  var STATES = { waiting: "Đang chờ", active: "Đang trò chuyện", closed: "Đã kết thúc" };
  var FROM = { user: "Người dùng", counsellor: "Tư vấn viên", system: "Hệ thống" };
  var ROLES = { counsellor: "Tư vấn viên", admin: "Quản trị", viewer: "Xem" };

  var me = null;
  var csrf = "";
  var current = null; // id of the open case
  var refreshing = false;
  var again = false;

  function $(id) {
    return document.getElementById(id);
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function api(method, path, body) {
    var options = { method: method, credentials: "same-origin", cache: "no-store", headers: {} };
    if (method !== "GET") {
      options.headers["X-CSRF-Token"] = csrf;
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body || {});
    }
    return fetch(path, options).then(function (response) {
      if (response.status === 401) {
        window.location.assign("/staff/login?next=%2Fstaff%2Finbox");
        throw new Error("login required");
      }
      return response.json().then(function (data) {
        if (!response.ok) throw new Error(data.error || "HTTP " + response.status);
        return data;
      });
    });
  }

  function duration(seconds) {
    seconds = Math.max(0, Math.floor(seconds));
    if (seconds < 60) return seconds + " giây";
    if (seconds < 3600) return Math.floor(seconds / 60) + " phút";
    return Math.floor(seconds / 3600) + " giờ " + Math.floor((seconds % 3600) / 60) + " phút";
  }

  function clock(iso) {
    var d = new Date(iso);
    return isNaN(d) ? "" : d.toLocaleTimeString("vi-VN", { hour: "2-digit", minute: "2-digit" });
  }

  function showError(text) {
    $("case-error").textContent = text || "";
  }

  // ------------------------------------------------------------------ the queue

  function renderQueue(data) {
    $("duty").checked = !!data.on_duty;
    $("duty-label").textContent = data.on_duty ? "Đang trực" : "Đang nghỉ";
    $("hours").textContent = data.hours_open
      ? "Trong giờ trực · " + data.counsellors_on_duty.length + " tư vấn viên đang trực"
      : "Ngoài giờ trực: người dùng được báo khi nào có người và gọi 111.";
    var list = $("queue");
    list.replaceChildren();
    data.handoffs.forEach(function (item) {
      var li = el("li");
      var button = el("button", item.urgent ? "urgent" : "");
      button.type = "button";
      button.setAttribute("data-case", String(item.id));
      if (item.id === current) button.setAttribute("aria-current", "true");
      if (item.urgent) button.appendChild(el("span", "badge badge-urgent", "Khẩn cấp"));
      if (item.alert) button.appendChild(el("span", "badge badge-urgent", "⚠ Cảnh báo"));
      button.appendChild(el("span", "badge", CHANNELS[item.channel] || item.channel));
      button.appendChild(el("strong", null, "#" + item.id + " · " + (STATES[item.state] || item.state)));
      var detail = item.state === "waiting" ? "chờ " + duration(item.waiting_s) : "";
      if (item.counsellor) detail += (detail ? " · " : "") + item.counsellor;
      button.appendChild(el("span", "muted", " " + detail));
      li.appendChild(button);
      list.appendChild(li);
    });
    $("queue-empty").hidden = data.handoffs.length > 0;
    var alerts = data.handoffs.filter(function (h) {
      return h.alert;
    });
    var banner = $("alert");
    var recent = (data.alerts || []).filter(function (a) {
      return !a.case_id;
    });
    if (alerts.length) {
      banner.textContent =
        "⚠ Nguy hiểm trong cuộc trò chuyện #" +
        alerts.map(function (a) { return a.id; }).join(", #") +
        ": đọc ngay.";
      banner.hidden = false;
    } else if (recent.length) {
      banner.textContent =
        "⚠ " + recent.length + " tin khẩn cấp trong giờ qua (người dùng đã được mời nói chuyện với tư vấn viên).";
      banner.hidden = false;
    } else {
      banner.hidden = true;
    }
    var outcome = $("outcome");
    if (!outcome.options.length && data.outcomes) {
      Object.keys(data.outcomes).forEach(function (code) {
        var option = el("option", null, data.outcomes[code]);
        option.value = code;
        outcome.appendChild(option);
      });
    }
    var duty = $("on-duty");
    duty.replaceChildren();
    data.counsellors_on_duty.forEach(function (name) {
      var option = el("option");
      option.value = name;
      duty.appendChild(option);
    });
  }

  // ------------------------------------------------------------------ one case

  function renderCase(data) {
    $("case").hidden = false;
    $("case-title").textContent =
      "Cuộc trò chuyện #" + data.id + " · " + (CHANNELS[data.channel] || data.channel);
    var meta = (STATES[data.state] || data.state) + (data.counsellor ? " · " + data.counsellor : "");
    if (data.urgent) meta = "Khẩn cấp · " + meta;
    if (data.outcome) meta += " · " + data.outcome;
    $("case-meta").textContent = meta;
    var windowLine = $("case-window");
    if (typeof data.reply_window_s === "number") {
      windowLine.hidden = false;
      windowLine.textContent =
        "Zalo: còn " + duration(data.reply_window_s) + " và " + data.replies_left +
        " tin trả lời miễn phí (đến khi người dùng viết tiếp).";
    } else {
      windowLine.hidden = true;
    }
    var mine = data.state === "active" && me && (data.counsellor === me.user || me.role === "admin");
    $("claim").hidden = !(data.state === "waiting" || (data.state === "active" && !mine));
    $("claim").disabled = data.state === "active" && !mine && me.role !== "admin";
    $("ack").hidden = !data.alert;
    $("reply").hidden = !mine;
    $("transfer").hidden = !mine;
    $("close").hidden = data.state === "closed";
    var list = $("messages");
    var atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
    list.replaceChildren();
    data.messages.forEach(function (m) {
      var li = el("li", "from-" + m.from);
      li.appendChild(el("span", "meta", (FROM[m.from] || m.from) + " · " + clock(m.at) +
        (m.delivery === "failed" ? " · chưa gửi được" : "")));
      li.appendChild(document.createTextNode(m.text));
      list.appendChild(li);
    });
    if (atBottom) list.scrollTop = list.scrollHeight;
    var notes = $("notes");
    notes.replaceChildren();
    (data.notes || []).forEach(function (n) {
      notes.appendChild(el("li", null, n.by + " · " + clock(n.at) + ": " + n.text));
    });
  }

  function openCase(id) {
    current = id;
    showError("");
    return api("GET", "/staff/api/handoffs/" + id).then(renderCase, function (e) {
      showError(e.message);
      current = null;
      $("case").hidden = true;
    });
  }

  function refresh() {
    if (refreshing) {
      again = true;
      return;
    }
    refreshing = true;
    api("GET", "/staff/api/handoffs")
      .then(function (data) {
        renderQueue(data);
        if (current !== null) return openCase(current);
      })
      .catch(function (e) {
        $("live").textContent = "Lỗi: " + e.message;
      })
      .then(function () {
        refreshing = false;
        if (again) {
          again = false;
          refresh();
        }
      });
  }

  function act(path, body) {
    showError("");
    return api("POST", path, body).then(refresh, function (e) {
      showError(e.message);
      throw e;
    });
  }

  // ------------------------------------------------------------------ events

  $("queue").addEventListener("click", function (event) {
    var button = event.target.closest("button[data-case]");
    if (!button) return;
    openCase(Number(button.getAttribute("data-case"))).then(refresh);
  });

  $("duty").addEventListener("change", function () {
    act("/staff/api/duty", { available: $("duty").checked });
  });

  $("claim").addEventListener("click", function () {
    if (current !== null) act("/staff/api/handoffs/" + current + "/claim");
  });

  $("ack").addEventListener("click", function () {
    if (current !== null) act("/staff/api/handoffs/" + current + "/alert/ack");
  });

  $("reply").addEventListener("submit", function (event) {
    event.preventDefault();
    var box = $("reply-text");
    var text = box.value;
    if (!text.trim() || current === null) return;
    act("/staff/api/handoffs/" + current + "/messages", { text: text }).then(function () {
      box.value = "";
      box.focus();
    }, function () {});
  });

  $("reply-text").addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing && event.keyCode !== 229) {
      event.preventDefault();
      $("reply").requestSubmit();
    }
  });

  $("note").addEventListener("submit", function (event) {
    event.preventDefault();
    var box = $("note-text");
    if (!box.value.trim() || current === null) return;
    act("/staff/api/handoffs/" + current + "/notes", { text: box.value }).then(function () {
      box.value = "";
    }, function () {});
  });

  $("transfer").addEventListener("submit", function (event) {
    event.preventDefault();
    var to = $("transfer-to").value.trim();
    if (to && current !== null) act("/staff/api/handoffs/" + current + "/transfer", { to: to });
  });

  $("close").addEventListener("submit", function (event) {
    event.preventDefault();
    if (current !== null) {
      act("/staff/api/handoffs/" + current + "/close", { outcome: $("outcome").value });
    }
  });

  function listen() {
    var source = new EventSource("/staff/api/events");
    source.addEventListener("change", function () {
      $("live").textContent = "Trực tuyến";
      refresh();
    });
    source.onerror = function () {
      $("live").textContent = "Mất kết nối, đang nối lại…";
    };
  }

  api("GET", "/staff/api/session").then(function (session) {
    me = session;
    csrf = session.csrf;
    $("duty").disabled = false; // state changes need the CSRF token: only now
    $("who").textContent = session.user + " · " + (ROLES[session.role] || session.role);
    refresh();
    listen();
  });
})();
