/*
 * Trợ lý Nghị quyết 57 — embeddable chat widget (plain JS, no build step).
 *
 *   <script src="https://host/widget.js" data-api="https://host" defer></script>
 *
 * data-api       API origin (default: the origin this script was loaded from)
 * data-title     panel title
 * data-open      "true" to open the panel on first visit
 * data-max-chars longest question accepted (default 2000, as the server)
 *
 * Server text is always inserted with textContent, never as HTML.
 */
(function () {
  "use strict";
  if (window.NQ57Widget) return;

  var script =
    document.currentScript ||
    (function () {
      var all = document.querySelectorAll('script[src*="widget.js"]');
      return all[all.length - 1];
    })();
  var scriptUrl = new URL(script.getAttribute("src"), location.href);
  var API = (script.getAttribute("data-api") || scriptUrl.origin).replace(/\/+$/, "");
  var TITLE = script.getAttribute("data-title") || "Trợ lý Nghị quyết 57";
  var MAX_CHARS = parseInt(script.getAttribute("data-max-chars") || "2000", 10) || 2000;
  var STORE_KEY = "nq57.widget.v1:" + API;
  var MAX_SAVED = 60;
  var SUGGESTIONS = [
    "Nghị quyết 57 đặt mục tiêu gì đến năm 2030?",
    "Chi cho nghiên cứu phát triển đạt bao nhiêu phần trăm GDP?",
    "Doanh nghiệp được hỗ trợ gì khi đổi mới công nghệ?",
    "Chuyển đổi số quốc gia có những nhiệm vụ chính nào?"
  ];
  var TEXT = {
    open: "Mở trợ lý hỏi đáp về Nghị quyết 57",
    close: "Đóng trợ lý",
    subtitle: "Có trích dẫn văn bản chính thức",
    reset: "Bắt đầu cuộc trò chuyện mới",
    log: "Nội dung trò chuyện",
    welcome:
      "Xin chào! Tôi giúp bạn tra cứu Nghị quyết 57-NQ/TW về khoa học, công nghệ, đổi mới sáng tạo, chuyển đổi số và các văn bản hướng dẫn. Bạn muốn hỏi điều gì?",
    suggestTitle: "Gợi ý câu hỏi",
    label: "Nhập câu hỏi của bạn",
    placeholder: "Nhập câu hỏi… (Enter để gửi)",
    send: "Gửi câu hỏi",
    typing: "Đang soạn câu trả lời…",
    sources: "Nguồn trích dẫn",
    related: "liên quan, không phải câu trả lời",
    source: "Nguồn",
    newTab: "(mở trong thẻ mới)",
    helpful: "Câu trả lời hữu ích",
    notHelpful: "Câu trả lời chưa hữu ích",
    askFeedback: "Câu trả lời có hữu ích không?",
    thanks: "Cảm ơn bạn đã góp ý!",
    commentLabel: "Góp ý thêm (không bắt buộc)",
    commentSend: "Gửi góp ý",
    feedbackFailed: "Chưa gửi được đánh giá, vui lòng thử lại.",
    network: "Không kết nối được máy chủ. Vui lòng kiểm tra mạng và thử lại.",
    interrupted: "Kết nối bị gián đoạn trước khi trả lời xong. Vui lòng hỏi lại.",
    failed: "Xin lỗi, hệ thống đang gặp sự cố. Vui lòng thử lại sau ít phút.",
    tooLong: "Câu hỏi quá dài (tối đa " + MAX_CHARS + " ký tự). Vui lòng rút gọn câu hỏi.",
    disclaimer: "Thông tin chỉ để tham khảo; hãy đối chiếu văn bản chính thức khi cần căn cứ pháp lý.",
    you: "Bạn",
    bot: "Trợ lý"
  };

  // -- state --------------------------------------------------------------------------------

  function load() {
    try {
      var raw = window.localStorage.getItem(STORE_KEY);
      var data = raw ? JSON.parse(raw) : null;
      if (data && Array.isArray(data.messages)) return data;
    } catch (e) {
      /* storage blocked or corrupt: start fresh */
    }
    return { conversationId: null, messages: [], open: false };
  }

  function save() {
    state.messages = state.messages.slice(-MAX_SAVED);
    try {
      window.localStorage.setItem(STORE_KEY, JSON.stringify(state));
    } catch (e) {
      /* private mode or quota: the conversation just will not survive a reload */
    }
  }

  var state = load();
  var busy = false;

  // -- small DOM helpers --------------------------------------------------------------------

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (k) {
        if (k === "text") node.textContent = attrs[k];
        else if (k === "class") node.className = attrs[k];
        else node.setAttribute(k, attrs[k]);
      });
    }
    (children || []).forEach(function (c) {
      if (c) node.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    });
    return node;
  }

  function svg(path) {
    var ns = "http://www.w3.org/2000/svg";
    var s = document.createElementNS(ns, "svg");
    s.setAttribute("viewBox", "0 0 24 24");
    s.setAttribute("aria-hidden", "true");
    s.setAttribute("focusable", "false");
    var p = document.createElementNS(ns, "path");
    p.setAttribute("d", path);
    s.appendChild(p);
    return s;
  }

  var ICON_CHAT =
    "M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2zm3 6a1.3 1.3 0 1 0 0 2.6A1.3 1.3 0 0 0 7 10zm5 0a1.3 1.3 0 1 0 0 2.6 1.3 1.3 0 0 0 0-2.6zm5 0a1.3 1.3 0 1 0 0 2.6 1.3 1.3 0 0 0 0-2.6z";
  var ICON_CLOSE =
    "M6.4 5 12 10.6 17.6 5 19 6.4 13.4 12l5.6 5.6-1.4 1.4L12 13.4 6.4 19 5 17.6 10.6 12 5 6.4z";
  var ICON_SEND = "M3 20.5v-7l9-1.5-9-1.5v-7L22 12z";
  var ICON_UP =
    "M1 21h4V9H1v12zm22-11c0-1.1-.9-2-2-2h-6.31l.95-4.57.03-.32c0-.41-.17-.79-.44-1.06L14.17 1 7.59 7.59C7.22 7.95 7 8.45 7 9v10c0 1.1.9 2 2 2h9c.83 0 1.54-.5 1.84-1.22l3.02-7.05c.09-.23.14-.47.14-.73v-2z";
  var ICON_DOWN =
    "M15 3H6c-.83 0-1.54.5-1.84 1.22l-3.02 7.05c-.09.23-.14.47-.14.73v2c0 1.1.9 2 2 2h6.31l-.95 4.57-.03.32c0 .41.17.79.44 1.06L9.83 23l6.59-6.59c.36-.36.58-.86.58-1.41V5c0-1.1-.9-2-2-2zm4 0v12h4V3h-4z";
  var ICON_RESET =
    "M12 5V2L7 6l5 4V7a5 5 0 1 1-5 5H5a7 7 0 1 0 7-7z";

  /** Only http(s) links, resolved against the API origin, may become hrefs. */
  function safeUrl(url) {
    try {
      var u = new URL(url, API + "/");
      return u.protocol === "http:" || u.protocol === "https:" ? u.href : null;
    } catch (e) {
      return null;
    }
  }

  function shorten(text, n) {
    text = String(text || "").replace(/\s+/g, " ").trim();
    return text.length > n ? text.slice(0, n - 1) + "…" : text;
  }

  // -- build the widget ---------------------------------------------------------------------

  var host = el("div", { id: "nq57-widget" });
  var root = host.attachShadow ? host.attachShadow({ mode: "open" }) : host;
  root.appendChild(el("link", { rel: "stylesheet", href: new URL("widget.css", scriptUrl).href }));

  var uid = "nq57-" + Math.random().toString(36).slice(2, 8);
  var launcher = el("button", {
    type: "button",
    class: "nq57-launcher",
    "aria-label": TEXT.open,
    "aria-expanded": "false",
    "aria-controls": uid + "-panel",
    title: TITLE
  });
  launcher.appendChild(svg(ICON_CHAT));

  var titleEl = el("h2", { id: uid + "-title", class: "nq57-title", text: TITLE });
  var resetBtn = el("button", {
    type: "button",
    class: "nq57-icon-btn nq57-reset",
    "aria-label": TEXT.reset,
    title: TEXT.reset
  });
  resetBtn.appendChild(svg(ICON_RESET));
  var closeBtn = el("button", {
    type: "button",
    class: "nq57-icon-btn nq57-close",
    "aria-label": TEXT.close,
    title: TEXT.close
  });
  closeBtn.appendChild(svg(ICON_CLOSE));

  var header = el("div", { class: "nq57-header" }, [
    el("div", { class: "nq57-avatar", "aria-hidden": "true", text: "57" }),
    el("div", { class: "nq57-heading" }, [
      titleEl,
      el("p", { class: "nq57-subtitle", text: TEXT.subtitle })
    ]),
    resetBtn,
    closeBtn
  ]);

  var log = el("div", {
    class: "nq57-log",
    role: "log",
    "aria-live": "polite",
    "aria-label": TEXT.log,
    tabindex: "0"
  });

  var input = el("textarea", {
    id: uid + "-input",
    class: "nq57-input",
    rows: "1",
    maxlength: String(MAX_CHARS),
    placeholder: TEXT.placeholder,
    autocomplete: "off"
  });
  var counter = el("span", { class: "nq57-counter", "aria-live": "polite" });
  var sendBtn = el("button", {
    type: "submit",
    class: "nq57-send",
    "aria-label": TEXT.send,
    title: TEXT.send
  });
  sendBtn.appendChild(svg(ICON_SEND));
  var form = el("form", { class: "nq57-form" }, [
    el("label", { class: "nq57-sr", for: uid + "-input", text: TEXT.label }),
    input,
    sendBtn,
    counter
  ]);

  var panel = el(
    "div",
    {
      id: uid + "-panel",
      class: "nq57-panel",
      role: "dialog",
      "aria-modal": "false",
      "aria-labelledby": uid + "-title",
      hidden: ""
    },
    [header, log, form, el("p", { class: "nq57-disclaimer", text: TEXT.disclaimer })]
  );

  root.appendChild(panel);
  root.appendChild(launcher);

  // -- rendering ----------------------------------------------------------------------------

  function scrollDown() {
    log.scrollTop = log.scrollHeight;
  }

  /** Answer text with its [n] markers turned into links to the cited clause. */
  function renderAnswerText(node, text, citations) {
    node.textContent = "";
    var parts = String(text || "").split(/\[(\d{1,2})\]/);
    for (var i = 0; i < parts.length; i++) {
      if (i % 2 === 0) {
        if (parts[i]) node.appendChild(document.createTextNode(parts[i]));
        continue;
      }
      var c = citations && citations[parseInt(parts[i], 10) - 1];
      var href = c && safeUrl(c.url);
      if (!href) {
        node.appendChild(document.createTextNode("[" + parts[i] + "]"));
        continue;
      }
      node.appendChild(
        el("a", {
          class: "nq57-ref",
          href: href,
          target: "_blank",
          rel: "noopener noreferrer",
          "aria-label": TEXT.source + " " + parts[i] + ": " + (c.doc_number || "") + " " + (c.locator || ""),
          text: "[" + parts[i] + "]"
        })
      );
    }
  }

  /** Sources: each clause once, its quote only when the answer does not already show it. */
  function renderSources(citations, text) {
    if (!citations || !citations.length) return null;
    var list = el("ol", { class: "nq57-sources-list" });
    var shown = String(text || "");
    citations.forEach(function (c) {
      var href = safeUrl(c.url);
      var label = [c.doc_number, c.locator].filter(Boolean).join(" — ");
      if (c.related) label += " (" + TEXT.related + ")";
      var item = el("li");
      if (href) {
        var link = el("a", {
          class: "nq57-cite",
          href: href,
          target: "_blank",
          rel: "noopener noreferrer",
          title: c.doc_title || label
        });
        link.appendChild(document.createTextNode(label || c.doc || TEXT.source));
        link.appendChild(el("span", { class: "nq57-sr", text: " " + TEXT.newTab }));
        item.appendChild(link);
      } else {
        item.appendChild(el("span", { class: "nq57-cite", text: label }));
      }
      var quote = String(c.quote || "");
      // A table row is already spelled out as label: value in the answer.
      if (quote && quote.indexOf(" | ") < 0 && shown.indexOf(quote.slice(0, 60)) < 0) {
        item.appendChild(el("q", { class: "nq57-quote", text: shorten(quote, 180) }));
      }
      list.appendChild(item);
    });
    return el("div", { class: "nq57-sources" }, [
      el("div", { class: "nq57-sources-title", text: TEXT.sources }),
      list
    ]);
  }

  function renderFeedback(msg) {
    var up = el("button", {
      type: "button",
      class: "nq57-fb nq57-fb-up",
      "aria-label": TEXT.helpful,
      title: TEXT.helpful,
      "aria-pressed": String(msg.feedback === "up")
    });
    up.appendChild(svg(ICON_UP)); // 👍 drawn as SVG: emoji fonts are missing on many systems
    var down = el("button", {
      type: "button",
      class: "nq57-fb nq57-fb-down",
      "aria-label": TEXT.notHelpful,
      title: TEXT.notHelpful,
      "aria-pressed": String(msg.feedback === "down")
    });
    down.appendChild(svg(ICON_DOWN));
    var status = el("span", {
      class: "nq57-fb-status",
      role: "status",
      text: msg.feedback ? TEXT.thanks : TEXT.askFeedback
    });
    var row = el("div", { class: "nq57-feedback" }, [status, up, down]);

    function rate(rating, comment) {
      return postFeedback(msg.messageId, rating, comment).then(function (ok) {
        if (!ok) {
          status.textContent = TEXT.feedbackFailed;
          return false;
        }
        msg.feedback = rating;
        save();
        up.setAttribute("aria-pressed", String(rating === "up"));
        down.setAttribute("aria-pressed", String(rating === "down"));
        status.textContent = TEXT.thanks;
        return true;
      });
    }

    up.addEventListener("click", function () {
      rate("up");
    });
    down.addEventListener("click", function () {
      rate("down").then(function (ok) {
        if (ok && !row.querySelector(".nq57-comment")) row.appendChild(commentBox(rate));
      });
    });
    return row;
  }

  function commentBox(rate) {
    var id = uid + "-c" + Math.random().toString(36).slice(2, 6);
    var field = el("input", { id: id, class: "nq57-comment-input", type: "text", maxlength: "2000" });
    var btn = el("button", { type: "submit", class: "nq57-comment-send", text: TEXT.commentSend });
    var box = el("form", { class: "nq57-comment" }, [
      el("label", { for: id, text: TEXT.commentLabel }),
      field,
      btn
    ]);
    box.addEventListener("submit", function (e) {
      e.preventDefault();
      var text = field.value.trim();
      if (!text) return;
      rate("down", text).then(function (ok) {
        if (ok) box.remove();
      });
    });
    setTimeout(function () {
      field.focus();
    }, 0);
    return box;
  }

  function messageNode(msg) {
    var isUser = msg.role === "user";
    var bubble = el("div", { class: "nq57-bubble" });
    var wrap = el("div", {
      class: "nq57-msg " + (isUser ? "nq57-user" : msg.error ? "nq57-bot nq57-error" : "nq57-bot")
    }, [el("span", { class: "nq57-sr", text: (isUser ? TEXT.you : TEXT.bot) + ": " }), bubble]);
    if (isUser || msg.error) {
      bubble.textContent = msg.text;
      return wrap;
    }
    var body = el("div", { class: "nq57-text" });
    renderAnswerText(body, msg.text, msg.citations);
    bubble.appendChild(body);
    var sources = renderSources(msg.citations, msg.text);
    if (sources) bubble.appendChild(sources);
    if (msg.messageId) wrap.appendChild(renderFeedback(msg));
    return wrap;
  }

  function suggestionsNode(list) {
    var box = el("div", { class: "nq57-suggestions", role: "group", "aria-label": TEXT.suggestTitle });
    list.forEach(function (q) {
      var b = el("button", { type: "button", class: "nq57-chip", text: q });
      b.addEventListener("click", function () {
        ask(q);
      });
      box.appendChild(b);
    });
    return box;
  }

  function renderAll() {
    log.textContent = "";
    log.appendChild(
      el("div", { class: "nq57-msg nq57-bot nq57-welcome" }, [
        el("div", { class: "nq57-bubble", text: TEXT.welcome })
      ])
    );
    if (!state.messages.length) {
      log.appendChild(el("p", { class: "nq57-suggest-title", text: TEXT.suggestTitle }));
      log.appendChild(suggestionsNode(SUGGESTIONS));
    }
    state.messages.forEach(function (m) {
      log.appendChild(messageNode(m));
    });
    scrollDown();
  }

  // -- network ------------------------------------------------------------------------------

  function postFeedback(messageId, rating, comment) {
    var body = { message_id: messageId, rating: rating };
    if (comment) body.comment = comment;
    return fetch(API + "/api/feedback", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body)
    })
      .then(function (r) {
        return r.ok;
      })
      .catch(function () {
        return false;
      });
  }

  function errorDetail(response) {
    if (response.status === 413) return Promise.resolve(TEXT.tooLong);
    return response
      .json()
      .then(function (j) {
        return typeof j.detail === "string" ? j.detail : TEXT.failed;
      })
      .catch(function () {
        return TEXT.failed;
      });
  }

  /** Parse a text/event-stream body; calls onEvent(name, data) per event. */
  function readEvents(body, onEvent) {
    var reader = body.getReader();
    var decoder = new TextDecoder("utf-8");
    var buffer = "";
    function flush(block) {
      var name = "message";
      var data = [];
      block.split(/\r?\n/).forEach(function (line) {
        if (line.indexOf("event:") === 0) name = line.slice(6).trim();
        else if (line.indexOf("data:") === 0) data.push(line.slice(5).replace(/^ /, ""));
      });
      if (!data.length) return;
      var parsed;
      try {
        parsed = JSON.parse(data.join("\n"));
      } catch (e) {
        return;
      }
      onEvent(name, parsed);
    }
    function pump() {
      return reader.read().then(function (r) {
        if (r.done) {
          buffer += decoder.decode();
          if (buffer.trim()) flush(buffer);
          return;
        }
        buffer += decoder.decode(r.value, { stream: true });
        var blocks = buffer.split(/\r?\n\r?\n/);
        buffer = blocks.pop();
        blocks.forEach(flush);
        return pump();
      });
    }
    return pump();
  }

  function setBusy(value) {
    busy = value;
    sendBtn.disabled = value;
    log.setAttribute("aria-busy", String(value));
  }

  function ask(question) {
    question = String(question || "").trim();
    if (!question || busy) return;
    if (question.length > MAX_CHARS) {
      log.appendChild(messageNode({ role: "assistant", error: true, text: TEXT.tooLong }));
      scrollDown();
      return;
    }
    var suggest = log.querySelectorAll(".nq57-suggestions, .nq57-suggest-title");
    for (var i = 0; i < suggest.length; i++) suggest[i].remove();

    var userMsg = { role: "user", text: question };
    state.messages.push(userMsg);
    save();
    log.appendChild(messageNode(userMsg));

    var pending = el("div", { class: "nq57-msg nq57-bot nq57-pending" });
    var bubble = el("div", { class: "nq57-bubble" });
    var live = el("div", { class: "nq57-text" });
    var dots = el("span", { class: "nq57-typing" }, [
      el("span"),
      el("span"),
      el("span"),
      el("span", { class: "nq57-sr", text: TEXT.typing })
    ]);
    bubble.appendChild(dots);
    bubble.appendChild(live);
    pending.appendChild(bubble);
    log.appendChild(pending);
    scrollDown();
    setBusy(true);

    var streamed = "";
    var final = null;
    var failure = null;

    function finish() {
      pending.remove();
      var msg;
      if (final) {
        msg = {
          role: "assistant",
          text: final.answer,
          citations: final.citations || [],
          messageId: final.message_id,
          intent: final.intent,
          abstained: final.abstained
        };
        state.conversationId = final.conversation_id || state.conversationId;
        state.messages.push(msg);
        save();
        log.appendChild(messageNode(msg));
        if (final.suggestions && final.suggestions.length) {
          log.appendChild(suggestionsNode(final.suggestions.slice(0, 3)));
        }
      } else {
        msg = { role: "assistant", error: true, text: failure || TEXT.interrupted };
        log.appendChild(messageNode(msg));
      }
      setBusy(false);
      scrollDown();
    }

    var payload = JSON.stringify({ message: question, conversation_id: state.conversationId });
    var streaming = typeof ReadableStream !== "undefined" && typeof TextDecoder !== "undefined";
    fetch(API + (streaming ? "/api/chat/stream" : "/api/chat"), {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: streaming ? "text/event-stream" : "application/json" },
      body: payload
    })
      .then(function (response) {
        if (!response.ok) {
          return errorDetail(response).then(function (detail) {
            failure = detail;
          });
        }
        if (!streaming || !response.body) {
          return response.json().then(function (j) {
            final = j;
          });
        }
        return readEvents(response.body, function (name, data) {
          if (name === "meta") {
            if (data.conversation_id) {
              state.conversationId = data.conversation_id;
              save();
            }
          } else if (name === "delta") {
            if (dots.parentNode) dots.remove();
            streamed += data.text || "";
            live.textContent = streamed;
            scrollDown();
          } else if (name === "done") {
            final = data;
          } else if (name === "error") {
            failure = data.message || TEXT.failed;
          }
        });
      })
      .catch(function () {
        failure = failure || TEXT.network;
      })
      .then(finish);
  }

  // -- open / close -------------------------------------------------------------------------

  function isOpen() {
    return !panel.hasAttribute("hidden");
  }

  function open(restoring) {
    if (isOpen()) return;
    panel.removeAttribute("hidden");
    host.classList.add("nq57-is-open");
    launcher.setAttribute("aria-expanded", "true");
    launcher.setAttribute("aria-label", TEXT.close);
    launcher.textContent = "";
    launcher.appendChild(svg(ICON_CLOSE));
    state.open = true;
    save();
    scrollDown();
    // Restoring an open panel after a reload must not steal focus from the host page.
    if (restoring !== true) input.focus();
  }

  function close() {
    if (!isOpen()) return;
    panel.setAttribute("hidden", "");
    host.classList.remove("nq57-is-open");
    launcher.setAttribute("aria-expanded", "false");
    launcher.setAttribute("aria-label", TEXT.open);
    launcher.textContent = "";
    launcher.appendChild(svg(ICON_CHAT));
    state.open = false;
    save();
    launcher.focus();
  }

  launcher.addEventListener("click", function () {
    if (isOpen()) close();
    else open(false);
  });
  closeBtn.addEventListener("click", close);
  resetBtn.addEventListener("click", function () {
    if (busy) return;
    state.conversationId = null;
    state.messages = [];
    save();
    renderAll();
    input.focus();
  });
  panel.addEventListener("keydown", function (e) {
    if (e.key === "Escape") {
      e.stopPropagation();
      close();
    }
  });

  function updateCounter() {
    var n = input.value.length;
    counter.textContent = n > MAX_CHARS * 0.8 ? n + "/" + MAX_CHARS : "";
    input.style.height = "auto";
    input.style.height = Math.min(input.scrollHeight, 140) + "px";
  }

  input.addEventListener("input", updateCounter);
  input.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      form.requestSubmit ? form.requestSubmit() : form.dispatchEvent(new Event("submit"));
    }
  });
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var q = input.value;
    if (!q.trim() || busy) return;
    input.value = "";
    updateCounter();
    ask(q);
  });

  function mount() {
    document.body.appendChild(host);
    renderAll();
    if (state.open || (script.getAttribute("data-open") === "true" && !state.messages.length)) {
      state.open = false;
      open(true);
    }
  }

  window.NQ57Widget = {
    open: function () {
      open(false);
    },
    close: close,
    ask: function (q) {
      open(false);
      ask(q);
    }
  };
  if (document.body) mount();
  else document.addEventListener("DOMContentLoaded", mount);
})();
