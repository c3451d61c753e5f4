// Comparison answers on the chat page: a table of (place, year, value, source) with a small bar chart.
// The page's own script renders every answer; this one watches the page's POST ask responses and, when an answer
// carries a `comparison` (哪个地方…最高, 比较A和B…), adds the table under the answer (and removes it otherwise).
(function () {
  "use strict";
  const BOX_ID = "comparison";
  const origFetch = window.fetch.bind(window);

  function el(tag, attrs, children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "text") node.textContent = v;
      else if (k === "class") node.className = v;
      else if (k === "style") node.style.cssText = v;
      else node.setAttribute(k, v);
    }
    for (const c of children || []) node.append(c);
    return node;
  }

  function style() {
    if (document.getElementById("comparison-style")) return;
    const css = [
      "#comparison { margin-top: 10px; }",
      "#comparison table { border-collapse: collapse; width: 100%; font-size: 14px; }",
      "#comparison th, #comparison td { border-bottom: 1px solid var(--line, #d1d9e0); padding: 4px 6px; text-align: left; vertical-align: middle; }",
      "#comparison td.value { white-space: nowrap; font-weight: 600; }",
      "#comparison .bar { height: 10px; background: var(--accent, #b42318); border-radius: 2px; min-width: 2px; }",
      "#comparison .barcell { width: 28%; }",
      "#comparison .missing { font-size: 13px; color: var(--muted, #59636e); margin-top: 6px; }",
    ].join("\n");
    document.head.append(el("style", { id: "comparison-style", text: css }));
  }

  function sourceLink(row, i) {
    return el("a", {
      class: "source", text: "[" + i + "]", title: row.title,
      href: "documents/" + encodeURIComponent(row.doc_id) + "?start=" + row.start + "&end=" + row.end,
    });
  }

  function table(c) {
    const max = Math.max(...c.rows.map((r) => Math.abs(r.value)), 0) || 1;
    const head = el("tr", {}, ["#", "地方", "年份", "数值", "", "报告中的说法", "来源"].map((t) => el("th", { text: t })));
    const body = c.rows.map((r, i) => el("tr", {}, [
      el("td", { text: String(r.rank || i + 1) }),
      el("td", { text: r.region }),
      el("td", { text: r.year ? String(r.year) : "" }),
      el("td", { class: "value", text: r.text }),
      el("td", { class: "barcell" }, [el("div", { class: "bar", style: "width:" + (100 * Math.abs(r.value) / max).toFixed(1) + "%" })]),
      el("td", { text: r.indicator }),
      el("td", {}, [sourceLink(r, i + 1)]),
    ]));
    return el("table", {}, [el("thead", {}, [head]), el("tbody", {}, body)]);
  }

  function render(r) {
    const old = document.getElementById(BOX_ID);
    if (old) old.remove();
    const c = r && r.comparison;
    const answer = document.getElementById("answer");
    if (!c || !answer) return;
    style();
    const box = el("div", { id: BOX_ID, "data-mode": c.mode });
    if (c.rows.length) box.append(table(c));
    if (c.missing.length) {
      box.append(el("p", { class: "missing", text: "未列入:" + c.missing.map((m) =>
        m.region + (m.year ? "(" + m.year + "年)" : "") + ":" + m.reason).join("、") }));
    }
    answer.after(box);
  }

  window.fetch = async function (input, init) {
    const res = await origFetch(input, init);
    const url = typeof input === "string" ? input : (input && input.url) || "";
    const method = ((init && init.method) || (input && input.method) || "GET").toUpperCase();
    if (method === "POST" && /(^|\/)ask(\?|$)/.test(url) && res.ok) {
      res.clone().json().then((body) => setTimeout(() => render(body), 0)).catch(() => {});
    }
    return res;
  };
  window.renderComparison = render;
})();
