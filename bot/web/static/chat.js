/*
 * The web chat (page at / and the widget's /embed): sends messages to POST /api/chat and
 * renders the JSON reply. Text from the user or the server is only ever inserted as text
 * nodes (never as HTML); the reply's tiny markup (**bold**, "• " lines) is parsed here.
 * Nothing but the session id is stored, and only in sessionStorage.
 */
(function () {
  "use strict";

  var SESSION_KEY = "childsafe.session";
  var HANDOFF_KEY = "childsafe.handoff.seq"; // set while a counsellor handoff is open
  var UPDATES_WAIT_S = 20; // long-poll: the server holds the request until a message arrives
  var SESSION_PATTERN = /^[0-9a-f]{32}$/;
  var PHONE_PATTERN = /^\+?[0-9]{3,15}$/;
  var ESCAPE_WINDOW_MS = 1000;
  var DEFAULT_EXIT_URL = "https://www.google.com";

  // Console-style commands (as on Telegram and Zalo); typed with or without diacritics.
  var COMMANDS = {
    "/xoa": { action: "erase" },
    "/thoat": { action: "exit" },
    "/khancap": { payload: "@cmd:emergency" },
    "/baomat": { payload: "@cmd:privacy" },
    "/vaitro": { payload: "@cmd:role" },
    "/trogiup": { payload: "@cmd:help" },
    "/help": { payload: "@cmd:help" },
    "/start": { payload: "@cmd:start" },
    "/nguoi": { payload: "@cmd:handoff" }, // talk to a counsellor (when the centre runs it)
  };

  var log = document.getElementById("messages");
  var form = document.getElementById("composer");
  var input = document.getElementById("composer-input");
  var statusLine = document.getElementById("status");
  var mode = document.body.getAttribute("data-mode") || "page";
  var exitMeta = document.querySelector('meta[name="childsafe:exit-url"]');
  var exitUrl = (exitMeta && exitMeta.getAttribute("content")) || DEFAULT_EXIT_URL;
  var greeting = log.firstElementChild ? log.firstElementChild.cloneNode(true) : null;

  var session = null; // kept in memory; sessionStorage only so a reload of this tab continues
  var queue = Promise.resolve(); // messages go out one after another, none is dropped
  var inFlight = 0;
  var typing = null;
  var lastEscape = 0;
  var exiting = false;
  var polling = false; // a long-poll loop for counsellor messages is running
  var lastSeq = 0;

  // /embed opened on its own (not in the widget's frame) has nothing to close.
  if (window.parent === window) {
    Array.prototype.forEach.call(document.querySelectorAll('[data-action="close"]'), function (b) {
      b.hidden = true;
    });
  }

  // ------------------------------------------------------------------ session id

  function sessionStore() {
    try {
      return window.sessionStorage;
    } catch (e) {
      return null; // storage blocked (privacy settings, sandboxed frame): memory only
    }
  }

  function storedSession() {
    var store = sessionStore();
    var id = null;
    try {
      id = store && store.getItem(SESSION_KEY);
    } catch (e) {
      id = null;
    }
    return id && SESSION_PATTERN.test(id) ? id : null;
  }

  function newSessionId() {
    var bytes = new Uint8Array(16); // 128 bits from the browser's CSPRNG
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map
      .call(bytes, function (b) {
        return (b < 16 ? "0" : "") + b.toString(16);
      })
      .join("");
  }

  function currentSession() {
    if (!session) session = storedSession();
    if (!session) {
      session = newSessionId();
      try {
        var store = sessionStore();
        if (store) store.setItem(SESSION_KEY, session);
      } catch (e) {
        /* memory only */
      }
    }
    return session;
  }

  function wipeStorage() {
    session = null;
    try {
      window.sessionStorage.clear();
    } catch (e) {
      /* nothing stored */
    }
    try {
      window.localStorage.clear();
    } catch (e) {
      /* nothing stored */
    }
  }

  // ------------------------------------------------------------------ rendering

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function digitsOf(text) {
    return text.replace(/[\s.\-]/g, "");
  }

  // **bold** becomes <strong>; a bold hotline number becomes a tap-to-call link.
  function appendInline(parent, text, hotlines) {
    var bold = /\*\*(.+?)\*\*/g;
    var last = 0;
    var match;
    while ((match = bold.exec(text)) !== null) {
      if (match.index > last) parent.appendChild(document.createTextNode(text.slice(last, match.index)));
      var strong = el("strong", null, match[1]);
      var number = digitsOf(match[1]);
      if (hotlines.indexOf(number) !== -1) {
        var link = el("a", "tel");
        link.href = "tel:" + number;
        link.appendChild(strong);
        parent.appendChild(link);
      } else {
        parent.appendChild(strong);
      }
      last = match.index + match[0].length;
    }
    if (last < text.length) parent.appendChild(document.createTextNode(text.slice(last)));
  }

  // Where a cited document can be read: a web address, or a directive served by this site.
  var SOURCE_URL = /^(https?:\/\/[^\s"<>]+|\/sources\/[\w.-]+)$/i;

  function validSources(reply) {
    if (!reply || !Array.isArray(reply.sources)) return [];
    return reply.sources.filter(function (s) {
      return s && typeof s.doc === "string";
    });
  }

  // The "📚 Nguồn: A (Điều 1); B (mục 2)." line with each document a link that opens in a new
  // tab. The line names each document once, in the order the reply's sources first cite it.
  function sourceLine(line, sources) {
    var prefix = "📚 Nguồn: ";
    var docs = [];
    var urls = {};
    sources.forEach(function (s) {
      if (typeof s.doc !== "string" || docs.indexOf(s.doc) !== -1) return;
      docs.push(s.doc);
      urls[s.doc] = typeof s.url === "string" && SOURCE_URL.test(s.url) ? s.url : null;
    });
    var rest = line.indexOf(prefix) === 0 ? line.slice(prefix.length).replace(/\.$/, "") : null;
    var parts = rest === null ? [] : rest.split("; ");
    if (parts.length !== docs.length) return null;
    var paragraph = el("p", "source");
    paragraph.appendChild(document.createTextNode(prefix));
    parts.forEach(function (part, index) {
      if (index) paragraph.appendChild(document.createTextNode("; "));
      var url = urls[docs[index]];
      if (url) {
        var link = el("a", "source__link", part);
        link.href = url;
        link.target = "_blank";
        link.rel = "noopener noreferrer";
        paragraph.appendChild(link);
      } else {
        paragraph.appendChild(document.createTextNode(part));
      }
    });
    paragraph.appendChild(document.createTextNode("."));
    return paragraph;
  }

  function richText(text, hotlines, sources) {
    var linked = sources && sources.length ? sources : null;
    var fragment = document.createDocumentFragment();
    var list = null;
    var afterBlank = false;
    String(text)
      .split(/\r?\n/)
      .forEach(function (raw) {
        var line = raw.replace(/\s+$/, "");
        if (!line.trim()) {
          list = null;
          afterBlank = fragment.childNodes.length > 0;
          return;
        }
        if (/^\s*•\s?/.test(line)) {
          if (!list) {
            list = el("ul", afterBlank ? "after-gap" : null);
            fragment.appendChild(list);
          }
          var item = el("li");
          appendInline(item, line.replace(/^\s*•\s?/, ""), hotlines);
          list.appendChild(item);
        } else {
          list = null;
          var withLinks = linked && /^📚/.test(line) ? sourceLine(line, linked) : null;
          if (withLinks) {
            fragment.appendChild(withLinks);
            afterBlank = false;
            return;
          }
          var classes = [];
          if (/^📚/.test(line)) classes.push("source");
          else if (afterBlank) classes.push("after-gap");
          var paragraph = el("p", classes.join(" ") || null);
          appendInline(paragraph, line, hotlines);
          fragment.appendChild(paragraph);
        }
        afterBlank = false;
      });
    return fragment;
  }

  function validActions(reply) {
    if (!Array.isArray(reply.actions)) return [];
    return reply.actions
      .filter(function (a) {
        return a && typeof a.label === "string" && a.label.trim() && typeof a.payload === "string";
      })
      .map(function (a) {
        var phone = typeof a.phone === "string" && PHONE_PATTERN.test(a.phone) ? a.phone : null;
        return { label: a.label, payload: a.payload, phone: phone };
      });
  }

  function callLink(action, className) {
    var link = el("a", className, action.label);
    link.href = "tel:" + action.phone;
    return link;
  }

  function quickReplies(actions) {
    var group = el("div", "quick-replies");
    group.setAttribute("role", "group");
    group.setAttribute("aria-label", "Gợi ý trả lời");
    actions.forEach(function (action) {
      if (action.phone) {
        group.appendChild(callLink(action, "chip chip--call"));
      } else {
        var button = el("button", "chip", action.label);
        button.type = "button";
        button.setAttribute("data-payload", action.payload);
        group.appendChild(button);
      }
    });
    return group;
  }

  function botBubble(reply) {
    var urgent = reply.urgent === true;
    var bubble = el("div", "msg msg--bot" + (urgent ? " msg--urgent" : ""));
    var actions = validActions(reply);
    var hotlines = Array.isArray(reply.hotlines) ? reply.hotlines.map(String) : [];
    var rest = actions;
    if (urgent) {
      // Danger now: the call buttons open the bubble before any text, in the core's order:
      // the line that fits the danger first (114 for a fire, 115 for a body, 113 for an
      // attack), and 111 always among them.
      var calls = actions.filter(function (a) {
        return a.phone;
      });
      if (!calls.some(function (a) { return a.phone === "111"; })) {
        calls.push({ label: "📞 Gọi 111", payload: "@tel:111", phone: "111" });
      }
      var box = el("div", "urgent-calls");
      calls.forEach(function (action, index) {
        box.appendChild(callLink(action, index === 0 ? "call call--primary" : "call"));
      });
      bubble.appendChild(box);
      rest = actions.filter(function (a) {
        return !a.phone;
      });
    }
    var body = el("div", "msg__body");
    var text = typeof reply.text === "string" ? reply.text : "";
    body.appendChild(richText(text, hotlines, validSources(reply)));
    bubble.appendChild(body);
    if (rest.length) bubble.appendChild(quickReplies(rest));
    if (reply.kind === "answer") bubble.appendChild(feedbackButton());
    return bubble;
  }

  // Under every answer: "that's not what I asked" goes to the staff's review queue (#16).
  function feedbackButton() {
    var box = el("div", "feedback");
    var button = el("button", "feedback__button", "👎 Không đúng ý mình");
    button.type = "button";
    button.setAttribute("data-payload", "@cmd:not_what_i_asked");
    box.appendChild(button);
    return box;
  }

  function userBubble(text) {
    var bubble = el("div", "msg msg--user");
    bubble.appendChild(el("span", "visually-hidden", "Bạn: "));
    bubble.appendChild(document.createTextNode(text));
    return bubble;
  }

  function noticeBubble(text, isError, retryText) {
    var bubble = el("div", "msg msg--notice" + (isError ? " msg--error" : ""));
    var body = el("div", "msg__body");
    body.appendChild(richText(text, ["111"]));
    bubble.appendChild(body);
    if (retryText) {
      var group = quickReplies([{ label: "Gửi lại", payload: retryText, phone: null }]);
      group.firstChild.setAttribute("data-shown", retryText);
      bubble.appendChild(group);
    }
    return bubble;
  }

  function show(node) {
    if (typing && typing.parentNode === log) log.insertBefore(node, typing);
    else log.appendChild(node);
    // A long answer is read from its start; a short one just scrolls the log to the end.
    if (node.offsetHeight > log.clientHeight * 0.8) log.scrollTop = node.offsetTop - 8;
    else log.scrollTop = log.scrollHeight;
  }

  function setTyping(on) {
    if (on && !typing) {
      typing = el("div", "typing");
      typing.setAttribute("aria-hidden", "true");
      typing.appendChild(el("span"));
      typing.appendChild(el("span"));
      typing.appendChild(el("span"));
      log.appendChild(typing);
      log.scrollTop = log.scrollHeight;
      announce("Trợ lý đang trả lời…");
    } else if (!on && typing) {
      typing.remove();
      typing = null;
      announce("");
    }
  }

  function announce(text) {
    if (statusLine) statusLine.textContent = text;
  }

  // ------------------------------------------------------------------ talking to the API

  function postJson(path, body) {
    return fetch(path, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
      credentials: "omit",
      cache: "no-store",
      referrerPolicy: "no-referrer",
    });
  }

  function errorText(status) {
    if (status === 413) return "Tin nhắn dài quá. Bạn viết ngắn hơn (dưới 4000 ký tự) nhé.";
    if (status === 429) return "Bạn gửi hơi nhanh. Đợi một chút rồi gửi lại nhé. Nếu cần giúp ngay, gọi **111**.";
    return "Hệ thống đang bận, chưa trả lời được. Thử lại sau ít phút. Nếu cần giúp ngay, gọi **111**.";
  }

  function exchange(text) {
    return postJson("/api/chat", { text: text, session: currentSession() })
      .then(function (response) {
        if (!response.ok) {
          show(noticeBubble(errorText(response.status), true, response.status >= 500 ? text : null));
          return;
        }
        return response.json().then(function (reply) {
          if (exiting) return;
          // The assistant erased this session's data (a "xóa" button or command): the page follows.
          if (reply && reply.kind === "erase" && reply.ok) resetConversation();
          // Passed to the counsellor: no bot answer (danger raised their alert instead).
          if (reply && reply.kind === "handoff_forwarded") {
            markForwarded();
            return;
          }
          show(botBubble(reply || {}));
          if (reply && reply.kind === "handoff_queued") startUpdates();
        });
      })
      .catch(function () {
        if (exiting) return;
        show(
          noticeBubble(
            "Không gửi được tin nhắn. Kiểm tra kết nối mạng rồi thử lại. Nếu cần giúp ngay, gọi **111**.",
            true,
            text
          )
        );
      });
  }

  function send(text, shownAs) {
    if (exiting || !text || !text.trim()) return;
    show(userBubble(shownAs || text));
    inFlight += 1;
    if (!polling) setTyping(true); // with a counsellor, the assistant is not about to answer
    queue = queue
      .then(function () {
        return exchange(text);
      })
      .then(function () {
        inFlight -= 1;
        if (!inFlight) setTyping(false);
      });
  }

  // ------------------------------------------------------------------ counsellor handoff

  function markForwarded() {
    var bubbles = log.querySelectorAll(".msg--user");
    var last = bubbles[bubbles.length - 1];
    if (last && !last.querySelector(".msg__sent")) {
      last.appendChild(el("span", "msg__sent", " ✓ đã chuyển tới tư vấn viên"));
    }
  }

  function counsellorBubble(message) {
    var fromCounsellor = message.from === "counsellor";
    var bubble = el("div", "msg " + (fromCounsellor ? "msg--bot msg--counsellor" : "msg--notice"));
    if (fromCounsellor) bubble.appendChild(el("span", "msg__who", "Tư vấn viên"));
    var body = el("div", "msg__body");
    body.appendChild(richText(typeof message.text === "string" ? message.text : "", ["111"]));
    bubble.appendChild(body);
    return bubble;
  }

  function rememberSeq() {
    try {
      var store = sessionStore();
      if (store) store.setItem(HANDOFF_KEY, String(lastSeq));
    } catch (e) {
      /* memory only */
    }
  }

  function startUpdates() {
    if (polling || exiting) return;
    polling = true;
    rememberSeq();
    pollUpdates();
  }

  function stopUpdates() {
    polling = false;
    try {
      var store = sessionStore();
      if (store) store.removeItem(HANDOFF_KEY);
    } catch (e) {
      /* nothing stored */
    }
  }

  function pollUpdates() {
    if (!polling || exiting) return;
    var id = session || storedSession();
    if (!id) {
      stopUpdates();
      return;
    }
    var url =
      "/api/chat/updates?session=" + encodeURIComponent(id) + "&after=" + lastSeq + "&wait=" + UPDATES_WAIT_S;
    fetch(url, { credentials: "omit", cache: "no-store", referrerPolicy: "no-referrer" })
      .then(function (response) {
        if (!response.ok) throw new Error("updates: " + response.status);
        return response.json();
      })
      .then(function (data) {
        if (!polling || exiting) return;
        var messages = Array.isArray(data.messages) ? data.messages : [];
        messages.forEach(function (m) {
          if (typeof m.seq === "number" && m.seq > lastSeq) {
            lastSeq = m.seq;
            show(counsellorBubble(m));
            announce(m.from === "counsellor" ? "Tư vấn viên vừa trả lời." : "");
          }
        });
        rememberSeq();
        if (data.open === false) stopUpdates();
        else setTimeout(pollUpdates, 50);
      })
      .catch(function () {
        if (polling) setTimeout(pollUpdates, 3000); // offline for a moment: try again
      });
  }

  function resumeUpdates() {
    var stored = null;
    try {
      var store = sessionStore();
      stored = store && store.getItem(HANDOFF_KEY);
    } catch (e) {
      stored = null;
    }
    if (stored !== null && /^\d+$/.test(stored)) {
      lastSeq = Number(stored);
      startUpdates();
    }
  }

  function resetConversation() {
    stopUpdates();
    lastSeq = 0;
    wipeStorage();
    log.replaceChildren();
    if (typing) log.appendChild(typing);
    if (greeting) log.insertBefore(greeting.cloneNode(true), log.firstChild);
  }

  function eraseConversation() {
    queue = queue.then(function () {
      var id = session || storedSession();
      var erased = id
        ? postJson("/api/erase", { session: id }).then(function (response) {
            if (!response.ok) throw new Error("erase failed: " + response.status);
          })
        : Promise.resolve();
      return erased.then(
        function () {
          resetConversation();
          show(noticeBubble("Đã xóa cuộc trò chuyện và dữ liệu đã lưu của bạn.", false, null));
          announce("Đã xóa cuộc trò chuyện.");
          input.focus();
        },
        function () {
          show(noticeBubble("Chưa xóa được. Vui lòng thử lại sau giây lát.", true, null));
        }
      );
    });
  }

  // ------------------------------------------------------------------ quick exit

  function quickExit() {
    if (exiting) return;
    exiting = true;
    polling = false;
    wipeStorage();
    log.replaceChildren();
    input.value = "";
    document.title = "";
    var target = new URL(exitUrl, window.location.href).href;
    if (mode === "embed" && window.parent !== window) {
      // The widget (in the host page) removes itself and leaves; navigating the top
      // window directly covers a frame embedded without the widget.
      window.parent.postMessage({ type: "childsafe:exit", url: target }, "*");
      try {
        window.top.location.replace(target);
      } catch (e) {
        window.location.replace("about:blank");
      }
      return;
    }
    window.location.replace(target);
  }

  // ------------------------------------------------------------------ events

  function folded(text) {
    return text
      .trim()
      .toLowerCase()
      .normalize("NFD")
      .replace(/[\u0300-\u036f]/g, "")
      .replace(/đ/g, "d");
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value;
    if (!text.trim()) {
      input.focus();
      return;
    }
    input.value = "";
    resizeInput();
    var command = COMMANDS[folded(text)];
    if (command && command.action === "erase") eraseConversation();
    else if (command && command.action === "exit") quickExit();
    else if (command) send(command.payload, text.trim());
    else send(text);
    input.focus();
  });

  function resizeInput() {
    input.style.height = "auto";
    input.style.height = Math.min(input.scrollHeight + 4, 144) + "px";
  }

  input.addEventListener("input", resizeInput);

  input.addEventListener("keydown", function (event) {
    // Enter sends, Shift+Enter is a new line; never while an IME (Telex, VNI) is composing.
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing && event.keyCode !== 229) {
      event.preventDefault();
      form.requestSubmit();
    }
  });

  log.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-payload]");
    if (!button || !log.contains(button)) return;
    send(button.getAttribute("data-payload"), button.getAttribute("data-shown") || button.textContent);
    input.focus();
  });

  document.addEventListener("click", function (event) {
    var control = event.target.closest("[data-action]");
    if (!control) return;
    var action = control.getAttribute("data-action");
    if (action === "quick-exit") quickExit();
    else if (action === "erase") eraseConversation();
    else if (action === "close" && window.parent !== window) {
      window.parent.postMessage({ type: "childsafe:close" }, "*");
    }
  });

  // Escape pressed twice in a row leaves at once, wherever the focus is.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" || event.repeat || event.isComposing) return;
    var now = Date.now();
    if (now - lastEscape < ESCAPE_WINDOW_MS) quickExit();
    else lastEscape = now;
  });

  // The widget asks the frame to take focus when its panel opens.
  window.addEventListener("message", function (event) {
    if (event.source !== window.parent || window.parent === window) return;
    if (event.data && event.data.type === "childsafe:focus") input.focus();
  });

  resumeUpdates();

  // Leaving through the back/forward cache must not bring the conversation back.
  window.addEventListener("pagehide", function () {
    if (exiting) log.replaceChildren();
  });
})();
