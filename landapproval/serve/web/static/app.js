// 临汾市用地审批工作台 — plain JavaScript, no build step, no external request.
// The form is built from /web/form (the case-file models with their labels); every case goes to
// the server, which reads and decides it with the same code as the CLI.
"use strict";

const UI = {
  zh: {
    title: "临汾市用地审批工作台", tab_case: "单个案件", tab_batch: "批量审查", open: "打开或新建案件",
    open_file: "上传案件文件（YAML / JSON）", paste: "或粘贴案件文件内容", paste_open: "读取粘贴内容",
    blank: "或新建空白案件，类型", blank_new: "新建",
    case_boundary: "整案边界文件（界址点 txt / GeoJSON / WKT，按地块编号对应各地块）",
    evaluate: "审查", download_yaml: "下载案件 YAML", download_json: "下载决定 JSON",
    open_report: "打开审查报告（可打印）", batch_title: "批量审查",
    batch_help: "选择多个案件文件（YAML / JSON）或 zip 压缩包，每个案件一行。", batch_files: "案件文件或 zip",
    batch_run: "批量审查", batch_csv: "下载 CSV", batch_xlsx: "下载 Excel（xlsx）", sections: {basic: "基本情况", parcels: "地块", review: "审查材料", workflow: "审批流程"},
    unknown: "（未填写）", yes: "是", no: "否", add_row: "添加一行", remove_row: "删除", total: "合计",
    row_total: "本行合计（公顷）", boundary: "边界", upload_boundary: "上传边界", boundary_set: "已上传",
    boundary_path: "文件路径（须上传文件）", clear: "清除", working: "正在处理…", done: "完成",
    too_big: "文件过大：上限 {n} 字节", not_read: "无法读取文件", paste_hint: "可从 Excel 复制多行多列，粘贴到任一单元格（制表符分隔）。",
    verdict: "结论", authority: "审批机关", part: "事项", approver: "批准机关", why: "理由与依据", rule: "规则",
    checks: "审查事项（C1–C8）", item: "审查事项", status: "结论", findings: "问题", timeline: "审批流程（S1–S6）",
    step: "步骤", due: "期限", next: "下一步", all_findings: "全部问题（含数据与处理意见）", none_found: "没有问题。",
    figures: "数据", remedy: "处理", basis: "依据", map: "地块图", no_map: "案件没有地块边界，未绘图。",
    measured: "实测面积（公顷）", parcel: "地块", plane: "平面面积", ellipsoid: "椭球面积", layers_on: "图层：服务器图层",
    layers_off: "图层：服务器未加载图层", file: "文件", case: "案件", county: "县区", conversion: "农用地转用",
    expropriation: "土地征收", approvable: "结论", blocking: "阻断问题", failed: "不通过", incomplete: "材料不全",
    next_step: "下一步", error: "错误", can: "可以批准", cannot: "暂不能批准", unreadable: "无法读取",
    errors_count: "有 {n} 处问题，请按字段旁的提示修改。", field_missing: "（字段）", go_field: "定位",
    parcel_cols_hint: "每行合计为五类土地面积之和（公顷，精确到 0.0001）。",
    paste_unknown: "粘贴的列“{name}”不是地块表的列，未填入（请改用表头中的列名）",
    pbf_disjoint: "注意：永久基本农田与耕地互不重叠——“耕地”只填永久基本农田以外的耕地；本行五类合计 {total} 公顷，如与地块面积不符，可能重复计入了永久基本农田。",
    kept_as_written: "“{value}”不在可选项中：按原文保留并发送，审查时会说明应怎么写",
    missing_evidence: "缺少审查材料：", supply: "在报件中补充：", appendix_toggle: "技术附录（字段名、规则编号、代码）",
    server_error: "服务器处理出错（编号 {ref}），请把编号告诉系统管理员，由其查看服务器日志。",
    fill_in: "填写", token_prompt: "此服务器需要访问令牌（Bearer token），请输入：", use: "改为", declared_none: "确认没有（填为空列表；不勾选表示未填写）", zone_name: "名称", zone_level: "级别（已知开发区可不填）",
  },
  en: {
    title: "Linfen land approval workbench", tab_case: "One case", tab_batch: "Batch", open: "Open or start a case",
    open_file: "Upload a case file (YAML / JSON)", paste: "or paste a case file", paste_open: "Read the pasted text",
    blank: "or start a blank case of kind", blank_new: "New",
    case_boundary: "Boundary file for the whole case (界址点 txt / GeoJSON / WKT, matched to parcels by id)",
    evaluate: "Evaluate", download_yaml: "Download case YAML", download_json: "Download decision JSON",
    open_report: "Open the printable report", batch_title: "Batch",
    batch_help: "Choose several case files (YAML / JSON) or zip archives; one row per case.", batch_files: "Case files or zip",
    batch_run: "Evaluate all", batch_csv: "Download CSV", batch_xlsx: "Download Excel (xlsx)",
    sections: {basic: "Basic information", parcels: "Parcels", review: "Review evidence", workflow: "Approval workflow"},
    unknown: "(not given)", yes: "yes", no: "no", add_row: "Add a row", remove_row: "Remove", total: "Total",
    row_total: "Row total (ha)", boundary: "Boundary", upload_boundary: "Upload boundary", boundary_set: "uploaded",
    boundary_path: "file path (upload the file)", clear: "Clear", working: "Working…", done: "Done",
    too_big: "File too large: the limit is {n} bytes", not_read: "The file could not be read",
    paste_hint: "Copy rows and columns from Excel and paste them into any cell (tab-separated).",
    verdict: "Verdict", authority: "Approving authority", part: "Part", approver: "Approves", why: "Why, and the clause",
    rule: "rule", checks: "Review items (C1–C8)", item: "Item", status: "Status", findings: "Findings",
    timeline: "Workflow (S1–S6)", step: "Step", due: "due", next: "next", all_findings: "Every finding (figures and remedy)",
    none_found: "No findings.", figures: "figures", remedy: "to do", basis: "basis", map: "Map",
    no_map: "The case has no parcel boundaries; no map.", measured: "Measured areas (ha)", parcel: "parcel", plane: "plane",
    ellipsoid: "ellipsoid", layers_on: "Layers: the server's layer set", layers_off: "Layers: none loaded on the server",
    file: "File", case: "Case", county: "County", conversion: "Conversion", expropriation: "Expropriation",
    approvable: "Verdict", blocking: "Blocking", failed: "Failed", incomplete: "Incomplete", next_step: "Next step",
    error: "Error", can: "approvable", cannot: "not approvable", unreadable: "unreadable",
    errors_count: "{n} problems: see the notes beside the fields.", field_missing: "(field)", go_field: "go to",
    parcel_cols_hint: "Row total: the five land classes added up (hectares, to 0.0001).",
    paste_unknown: "The pasted column “{name}” is not a column of the parcel table; it was not filled in",
    pbf_disjoint: "Note: permanent basic farmland and cultivated land are disjoint — cultivated is the land outside the farmland; this row adds up to {total} ha: if the parcel is smaller, the farmland is counted twice.",
    kept_as_written: "“{value}” is not one of the choices: kept and sent as written; the review says what to write",
    missing_evidence: "Evidence missing: ", supply: "add to the filing: ", appendix_toggle: "Technical appendix (field names, rule ids, codes)",
    server_error: "The server failed (reference {ref}); give the reference to the administrator, who can read the server log.",
    fill_in: "fill in", token_prompt: "This server needs an access token (Bearer token):", use: "use", declared_none: "declared none (an empty list; unticked means not given)", zone_name: "name", zone_level: "level (may be left empty for a known zone)",
  },
};

let lang = "zh";
let meta = null;           // /web/form
let lastDecision = null;   // the decision JSON shown
let lastMap = null;
let lastDecision_asOf = "";  // where the applicable date came from, in words
let lastDeciding = null;  // the facts that decided who approves, in words (decision.words.deciding_facts)
let lastVerdict = null;    // the server's verdict words (decision.words): {verdict, verdict_short, next_words}
let batchBody = null;      // the last batch upload, re-sent for the CSV

const $ = (sel, root = document) => root.querySelector(sel);
const t = (key) => UI[lang][key];
const el = (tag, attrs = {}, ...children) => {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "text") node.textContent = v;
    else if (k === "class") node.className = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? "" : v);
  }
  for (const child of children.flat()) if (child !== null && child !== undefined) node.append(child);
  return node;
};

// ------------------------------------------------------------------------------------------
// Labels: from the catalogue the server sends (the same as `landapproval init`), else the key

function label(field) {
  if (field.label) return field.label[lang] || field.label.zh;
  return field.key;
}
function help(field) {
  const text = field.help ? (field.help[lang] || field.help.zh || "") : (field.description || "");
  const clauses = field.clauses && field.clauses.length ? `${t("basis")}：${field.clauses.join("、")}` : "";
  return [text, clauses].filter(Boolean).join(" · ");
}
function valueLabel(field, value) {
  const names = field.value_labels && field.value_labels[value];
  if (names) return names[lang] || names.zh;   // the name only: the contract's value is no word for an official
  return value;
}
let idCounter = 0;
const newId = (path) => "f" + (++idCounter) + "-" + path.replace(/[^A-Za-z0-9_]/g, "_");

// ------------------------------------------------------------------------------------------
// Reading and writing field paths: "parcels[0].land.cultivated"

function tokens(path) {
  const out = [];
  for (const part of path.split(".")) {
    const m = part.match(/^([^\[]+)((?:\[\d+\])*)$/);
    if (!m) { out.push(part); continue; }
    out.push(m[1]);
    for (const idx of m[2].matchAll(/\[(\d+)\]/g)) out.push(Number(idx[1]));
  }
  return out;
}
function getPath(obj, path) {
  let node = obj;
  for (const key of tokens(path)) {
    if (node === null || node === undefined || typeof node !== "object") return undefined;
    node = node[key];
  }
  return node;
}
function setPath(obj, path, value) {
  const keys = tokens(path);
  let node = obj;
  keys.forEach((key, i) => {
    if (i === keys.length - 1) { node[key] = value; return; }
    if (node[key] === undefined || node[key] === null || typeof node[key] !== "object") {
      node[key] = typeof keys[i + 1] === "number" ? [] : {};
    }
    node = node[key];
  });
}
const display = (v) => (v === null || v === undefined) ? "" : (typeof v === "object" ? JSON.stringify(v) : String(v));

// ------------------------------------------------------------------------------------------
// The form

function scalarInput(field, path, value, rowLabel) {
  const id = newId(path);
  let input;
  if (field.kind === "enum" || field.kind === "bool") {
    input = el("select", {id});
    input.append(el("option", {value: "", text: t("unknown")}));
    const values = field.kind === "bool" ? ["true", "false"] : field.values;
    for (const v of values) {
      const text = field.kind === "bool" ? (v === "true" ? t("yes") : t("no")) : valueLabel(field, v);
      input.append(el("option", {value: v, text}));
    }
    input.value = value === undefined || value === null ? "" : String(value);
    if (input.value === "" && value !== undefined && value !== null) {  // a value not in the list: keep it visible
      input.append(el("option", {value: String(value), text: String(value)}));
      input.value = String(value);
      input.dataset.kept = "true";   // sent as written (never as another value); said beside the field
    }
  } else {
    const list = meta.lists && meta.lists[path] ? "list-" + path.replace(/[^A-Za-z0-9]/g, "_") : null;
    input = el("input", {id, type: "text", value: display(value), spellcheck: "false", list, autocomplete: "off",
                         inputmode: field.kind === "decimal" ? "decimal" : null,
                         placeholder: field.kind === "date" ? "YYYY-MM-DD" : (field.kind === "decimal" ? "0.0000" : null)});
  }
  input.dataset.path = path;
  input.dataset.kind = field.kind;
  const errId = id + "-err";
  input.setAttribute("aria-describedby", errId);
  if (rowLabel) input.setAttribute("aria-label", rowLabel);
  const err = el("div", {class: "err", id: errId, "data-errpath": path});
  // a value the list does not have: kept and sent as written, and said so beside the field
  const note = input.dataset.kept ? el("div", {class: "note kept", text: t("kept_as_written").replace("{value}", String(value))}) : null;
  return {input, err, id, note};
}

function fieldRow(field, path, data) {
  if (field.kind === "group") {
    const box = el("fieldset", {class: "group", "data-errpath": path},
                   el("legend", {text: label(field)}));
    if (help(field)) box.append(el("p", {class: "help", text: help(field)}));
    box.append(el("div", {class: "err", "data-errpath": path}));
    for (const sub of field.fields) box.append(fieldRow(sub, `${path}.${sub.key}`, data));
    return box;
  }
  if (field.kind === "table") return tableBlock(field, path, getPath(data, path));
  if (field.kind === "union") return zoneRow(field, path, getPath(data, path));
  const {input, err, id, note} = scalarInput(field, path, getPath(data, path));
  const wrap = el("div", {class: "field" + (field.required ? " required" : "")},
                  el("label", {for: id, text: label(field) + (field.required ? " *" : "")}), input);
  const hint = help(field);
  if (hint) wrap.append(el("div", {class: "help", id: id + "-help", text: hint}));
  if (hint) input.setAttribute("aria-describedby", `${id}-err ${id}-help`);
  if (note) wrap.append(note);
  wrap.append(err);
  return wrap;
}

// a name, or {name, level} (the development zone)
function zoneRow(field, path, value) {
  const name = typeof value === "string" ? value : (value && value.name);
  const level = value && typeof value === "object" ? value.level : null;
  const nameField = field.fields.find((f) => f.key === "name");
  const levelField = field.fields.find((f) => f.key === "level");
  const a = scalarInput({...nameField, kind: "text"}, `${path}.name`, name);
  const b = scalarInput(levelField, `${path}.level`, level);
  a.input.dataset.union = path;
  b.input.dataset.union = path;
  const box = el("fieldset", {class: "group zone", "data-errpath": path}, el("legend", {text: label(field)}));
  if (help(field)) box.append(el("p", {class: "help", text: help(field)}));
  box.append(el("div", {class: "err", "data-errpath": path}),
             el("div", {class: "field"}, el("label", {for: a.id, text: t("zone_name")}), a.input, a.err),
             el("div", {class: "field"}, el("label", {for: b.id, text: t("zone_level")}), b.input, b.err));
  return box;
}

// columns of a table, groups flattened: parcels[].land.cultivated → "land.cultivated"
function flatColumns(columns, prefix = "") {
  const out = [];
  for (const col of columns) {
    if (col.kind === "group") out.push(...flatColumns(col.fields, prefix + col.key + "."));
    else out.push({...col, rel: prefix + col.key});
  }
  // the boundary upload last: the figures stay together, as in the Excel sheet they come from
  return out.filter((c) => c.key !== "boundary").concat(out.filter((c) => c.key === "boundary"));
}

function tableBlock(field, path, value) {
  const rows = Array.isArray(value) ? value : [];
  if (Array.isArray(value)) rows.declared = true;
  const cols = flatColumns(field.columns);
  const decimals = cols.filter((c) => c.kind === "decimal");
  const isParcels = path === "parcels";
  const table = el("table", {class: "grid", "data-table": path});
  const head = el("tr", {}, el("th", {text: "#"}),
                  cols.map((c) => el("th", {scope: "col", title: help(c)}, label(c) + (c.required ? " *" : ""))),
                  decimals.length ? el("th", {scope: "col", text: t("row_total")}) : null,
                  el("th", {scope: "col", text: ""}));
  const tbody = el("tbody");
  table.append(el("thead", {}, head), tbody);
  const foot = decimals.length ? el("tfoot") : null;
  if (foot) table.append(foot);
  const block = el("fieldset", {class: "table-block", "data-errpath": path},
                   el("legend", {text: label(field) + (field.required ? " *" : "")}));
  if (help(field)) block.append(el("p", {class: "help", text: help(field)}));
  if (isParcels || decimals.length) block.append(el("p", {class: "help", text: t("paste_hint") + (decimals.length ? " " + t("parcel_cols_hint") : "")}));
  block.append(el("div", {class: "err", "data-errpath": path}), el("div", {class: "scroll"}, table));
  const add = el("button", {type: "button", class: "add-row", text: t("add_row") + " — " + label(field)});
  block.append(add);
  if (!field.required) {  // an empty list says "none" (known); no list at all says "not given" (unknown)
    const id = newId(path + "-none");
    const none = el("input", {type: "checkbox", id, class: "none-box"});
    none.dataset.target = path;   // where "fill in" buttons for this list lead
    none.checked = Array.isArray(rows) && rows.length === 0 && rows.declared === true;
    block.append(el("label", {class: "none", for: id}, none, " " + t("declared_none")));
  }
  block._table = {field, path, cols, decimals, tbody, foot};
  add.addEventListener("click", () => { addRow(block, {}); renumber(block); updateTotals(block); });
  (rows.length ? rows : (field.required ? [{}] : [])).forEach((row) => addRow(block, row));
  renumber(block);
  updateTotals(block);
  tbody.addEventListener("input", () => updateTotals(block));
  tbody.addEventListener("change", () => updateTotals(block));
  tbody.addEventListener("paste", (event) => pasteRows(block, event));
  return block;
}

function addRow(block, row) {
  const {cols, decimals, tbody} = block._table;
  const tr = el("tr");
  tr.append(el("th", {scope: "row", class: "rownum"}));
  for (const col of cols) {
    const td = el("td", {"data-label": label(col)});   // the column's name, shown beside the cell when rows reflow
    if (col.key === "boundary") {
      td.append(boundaryCell(tr, getPath(row, col.rel)));
    } else {
      const {input, err, note} = scalarInput(col, "", getPath(row, col.rel), null);
      input.dataset.rel = col.rel;
      err.dataset.rel = col.rel;
      td.append(input, ...(note ? [note] : []), err);
    }
    tr.append(td);
  }
  if (decimals.length) tr.append(el("td", {class: "total", "aria-live": "off", "data-label": t("row_total")}));
  const remove = el("button", {type: "button", class: "remove", text: t("remove_row")});
  remove.addEventListener("click", () => { tr.remove(); renumber(block); updateTotals(block); });
  tr.append(el("td", {}, remove, el("div", {class: "err row-err"})));
  tbody.append(tr);
  return tr;
}

// give every cell of every row its concrete path (parcels[2].land.cultivated) and an accessible name
function renumber(block) {
  const {path, cols, tbody} = block._table;
  [...tbody.rows].forEach((tr, i) => {
    tr.cells[0].textContent = String(i + 1);
    tr.querySelector(".row-err").dataset.errpath = `${path}[${i}]`;
    tr.querySelectorAll("[data-rel]").forEach((node) => {
      const full = `${path}[${i}].${node.dataset.rel}`;
      if (node.classList.contains("err")) { node.dataset.errpath = full; return; }
      node.dataset.path = full;
      const col = cols.find((c) => c.rel === node.dataset.rel);
      node.setAttribute("aria-label", `${label(col)} ${i + 1}`);
      const err = node.parentNode.querySelector(".err");
      err.id = node.id + "-err";
    });
    const b = tr.querySelector(".boundary");
    if (b) { b.querySelector(".err").dataset.errpath = `${path}[${i}].boundary`; b.querySelector("input").setAttribute("aria-label", `${t("upload_boundary")} ${i + 1}`); }
  });
}

// exact decimal hectares: text → integer square metres (×10⁴) as BigInt, or null
function hectares(text) {
  let plain = String(text).normalize("NFKC").trim();
  for (const unit of (meta.area_units || [])) if (plain.endsWith(unit)) { plain = plain.slice(0, -unit.length).trim(); break; }
  const m = plain.match(/^(\d+)(?:\.(\d{0,4}))?$/);
  if (!m) return null;
  return BigInt(m[1]) * 10000n + BigInt((m[2] || "").padEnd(4, "0"));
}
const haText = (n) => `${n / 10000n}.${String(n % 10000n).padStart(4, "0")}`;

function updateTotals(block) {
  const {decimals, tbody, foot, cols} = block._table;
  if (!decimals.length) return;
  const sums = new Map(decimals.map((c) => [c.rel, 0n]));
  let all = 0n, bad = false;
  for (const tr of tbody.rows) {
    let row = 0n, rowBad = false;
    for (const c of decimals) {
      const input = tr.querySelector(`[data-rel="${c.rel}"]`);
      const text = input.value.trim();
      if (text === "") continue;
      const v = hectares(text);
      if (v === null) { rowBad = true; continue; }
      row += v;
      sums.set(c.rel, sums.get(c.rel) + v);
    }
    tr.querySelector(".total").textContent = rowBad ? "?" : haText(row);
    const pbf = tr.querySelector('[data-rel="land.permanent_basic_farmland"]');
    const cult = tr.querySelector('[data-rel="land.cultivated"]');
    if (pbf && cult) {   // the two classes are disjoint: 耕地 is the cultivated land outside 永久基本农田
      const both = (hectares(pbf.value) || 0n) > 0n && (hectares(cult.value) || 0n) > 0n;
      const note = pbf.parentNode.querySelector(".note") || pbf.parentNode.appendChild(el("div", {class: "note"}));
      note.textContent = both ? t("pbf_disjoint").replace("{total}", rowBad ? "?" : haText(row)) : "";
    }
    bad = bad || rowBad;
    all += row;
  }
  foot.replaceChildren(el("tr", {}, el("th", {scope: "row", text: t("total")}),
    cols.map((c) => el("td", {class: c.kind === "decimal" ? "total" : "", text: c.kind === "decimal" ? haText(sums.get(c.rel)) : ""})),
    el("td", {class: "total", text: bad ? "?" : haText(all)}), el("td")));
}

// rows pasted from Excel: tab-separated cells, one line per row, from the focused cell onwards.
// A first line of column names (the labels, their short forms, the field names) places each column
// by its name, in any order; a name the table does not have is reported, never silently dropped.
const PASTE_NAMES = {权属: "ownership", 所有权: "ownership", 土地权属: "ownership", 征收: "expropriate", 编号: "id"};

function columnByName(cols, text) {
  const name = String(text).trim().replace(/ \*$/, "").replace(/（公顷）$|\(ha\)$/i, "").trim().toLowerCase();
  if (!name) return null;
  const short = (s) => String(s).split("（")[0].split("(")[0].trim().toLowerCase();
  return cols.find((c) => [c.key, c.rel, label(c)].some((n) => String(n).toLowerCase() === name))
      || cols.find((c) => short(label(c)) === name)
      || cols.find((c) => PASTE_NAMES[name] === c.rel || PASTE_NAMES[name] === c.key) || null;
}

function pasteRows(block, event) {
  const text = (event.clipboardData || window.clipboardData).getData("text");
  if (!text || (!text.includes("\t") && !text.includes("\n"))) return;
  event.preventDefault();
  const {cols, tbody} = block._table;
  const pasteable = cols.filter((c) => c.key !== "boundary");
  const start = event.target.closest("[data-rel]");
  let startRow = start ? [...tbody.rows].indexOf(start.closest("tr")) : 0;
  const startCol = start ? Math.max(0, pasteable.findIndex((c) => c.rel === start.dataset.rel)) : 0;
  let lines = text.replace(/\r\n?/g, "\n").split("\n");
  while (lines.length && lines[lines.length - 1].trim() === "") lines.pop();
  let placed = null;   // column of each pasted cell, when the first line names them
  const notes = [];
  if (lines.length) {
    const heads = lines[0].split("\t");
    const found = heads.map((h) => columnByName(pasteable, h));
    if (found.some(Boolean)) {
      placed = found;
      heads.forEach((h, i) => { if (!found[i] && h.trim()) notes.push(t("paste_unknown").replace("{name}", h.trim())); });
      lines = lines.slice(1);
      startRow = start ? startRow : 0;
    }
  }
  lines.forEach((line, r) => {
    const tr = tbody.rows[startRow + r] || addRow(block, {});
    line.split("\t").forEach((cell, c) => {
      const col = placed ? placed[c] : pasteable[startCol + c];
      if (!col) return;
      const input = tr.querySelector(`[data-rel="${col.rel}"]`);
      setCell(input, col, cell.trim());
    });
  });
  renumber(block);
  updateTotals(block);
  if (notes.length) generalErrors(notes);
}

// the form entry of an input (for its allowed values and their names)
function columnOf(input) {
  return fieldOf(input.dataset.path) || {kind: input.dataset.kind};
}

function fieldOf(concretePath) {
  const path = concretePath.replace(/\[\d+\]/g, "[]");
  const find = (fields) => {
    for (const f of fields) {
      if (f.path === path) return f;
      const inner = find([...(f.fields || []), ...(f.columns || [])]);
      if (inner) return inner;
    }
    return null;
  };
  return find(meta.sections.flatMap((s) => s.fields)) || {key: concretePath};
}

function setCell(input, col, text) {
  if (input.tagName !== "SELECT") { input.value = text; return; }
  const lower = text.toLowerCase();
  const truthy = ["true", "yes", "y", "1", "是", "√"], falsy = ["false", "no", "n", "0", "否", "×"];
  let value = text;
  if (col.kind === "bool") value = truthy.includes(lower) ? "true" : falsy.includes(lower) ? "false" : "";
  else {
    for (const option of input.options) {
      if (option.value.toLowerCase() === lower || option.textContent.toLowerCase().startsWith(lower) && lower) { value = option.value; break; }
      const names = col.value_labels && col.value_labels[option.value];
      const aliases = (col.aliases && col.aliases[option.value]) || [];
      if ([names && names.zh, names && names.en, ...aliases].some((n) => n && n.toLowerCase() === lower)) { value = option.value; break; }
    }
  }
  if (![...input.options].some((o) => o.value === value)) input.append(el("option", {value, text: value}));
  input.value = value;
}

// ------------------------------------------------------------------------------------------
// Boundaries: uploaded content, sent inline ({format, data, id}); the server opens no path

const boundaries = new WeakMap();   // row → boundary value (inline mapping, or a path string as read)

function boundaryFormat(format) {
  const f = fieldOf("parcels[].boundary.format");
  return (f.value_labels && f.value_labels[format] && (f.value_labels[format][lang] || f.value_labels[format].zh)) || format;
}

function boundaryCell(tr, value) {
  const input = el("input", {type: "file", accept: ".txt,.geojson,.json,.wkt", class: "boundary-file"});
  const state = el("span", {class: "boundary-state"});
  const clear = el("button", {type: "button", class: "clear", text: t("clear")});
  const box = el("div", {class: "boundary"}, input, state, clear, el("div", {class: "err"}));
  const show = () => {
    const v = boundaries.get(tr);
    state.textContent = v === undefined ? "" : typeof v === "string" ? `${t("boundary_path")}: ${v}`
      : `${t("boundary_set")} ${boundaryFormat(v.format)}${v.id ? `（${t("parcel")} ${v.id}）` : ""}${v.name ? " " + v.name : ""}`;
    clear.hidden = v === undefined;
  };
  if (value !== undefined && value !== null) boundaries.set(tr, value);
  show();
  input.addEventListener("change", async () => {
    const file = input.files[0];
    if (!file) return;
    try {
      const b = await readBoundary(file);
      const parcelId = tr.querySelector('[data-rel="id"]').value.trim();
      const ids = boundaryIds(b);
      if (ids.length > 1) b.id = ids.includes(parcelId) ? parcelId : ids[0];
      boundaries.set(tr, b);
    } catch (error) {
      generalErrors([String(error.message || error)]);
    }
    show();
  });
  clear.addEventListener("click", () => { boundaries.delete(tr); input.value = ""; show(); });
  box._show = show;
  return box;
}

async function fileText(file) {
  if (file.size > meta.limits.case_bytes) throw new Error(t("too_big").replace("{n}", meta.limits.case_bytes));
  const bytes = await file.arrayBuffer();
  try { return new TextDecoder("utf-8", {fatal: true}).decode(bytes).replace(/^\ufeff/, ""); }
  catch { return new TextDecoder("gbk").decode(bytes); }   // 界址点 files are often GBK
}

async function readBoundary(file) {
  const text = await fileText(file);
  const name = file.name.toLowerCase();
  const trimmed = text.trimStart();
  if (name.endsWith(".geojson") || name.endsWith(".json") || trimmed.startsWith("{")) {
    return {format: "geojson", data: JSON.parse(text), name: file.name};
  }
  if (name.endsWith(".wkt") || /^(MULTI)?POLYGON\b/i.test(trimmed)) return {format: "wkt", data: text.trim(), name: file.name};
  return {format: "jzd", data: text, name: file.name};
}

// the parcel ids a boundary file holds, in order (界址点: 地块编号, the 3rd field of a parcel's head line)
function boundaryIds(b) {
  if (b.format === "jzd") {
    return b.data.split(/\r?\n/).filter((l) => l.trim().endsWith("@")).map((l) => l.split(",")[2].trim()).filter(Boolean);
  }
  if (b.format === "geojson" && b.data && b.data.type === "FeatureCollection") {
    return (b.data.features || []).map((f) => String(f.id ?? (f.properties || {}).id ?? (f.properties || {}).name ?? "")).filter(Boolean);
  }
  return [];
}

async function caseBoundary(file) {
  const b = await readBoundary(file);
  const ids = boundaryIds(b);
  const block = $('[data-table="parcels"]').closest(".table-block");
  const rows = [...block._table.tbody.rows];
  rows.forEach((tr, i) => {
    const parcelId = tr.querySelector('[data-rel="id"]').value.trim();
    const id = ids.includes(parcelId) ? parcelId : (ids.length === rows.length ? ids[i] : (ids.length ? null : undefined));
    if (id === null) return;   // no match for this parcel: leave its boundary as it is
    boundaries.set(tr, id === undefined ? {format: b.format, data: b.data, name: b.name} : {format: b.format, data: b.data, id, name: b.name});
    tr.querySelector(".boundary")._show();
  });
}

// ------------------------------------------------------------------------------------------
// The form ↔ the case

function renderForm(data) {
  const form = $("#case-form");
  form.replaceChildren();
  for (const [path, names] of Object.entries(meta.lists || {})) {
    form.append(el("datalist", {id: "list-" + path.replace(/[^A-Za-z0-9]/g, "_")}, names.map((n) => el("option", {value: n}))));
  }
  for (const section of meta.sections) {
    const box = el("section", {class: "panel form-section", id: "section-" + section.id},
                   el("h2", {text: t("sections")[section.id]}));
    // a section that is one group (review, workflow) shows that group's fields directly
    const only = section.fields.length === 1 && section.fields[0].kind === "group" ? section.fields[0] : null;
    if (only) box.append(el("div", {class: "err", "data-errpath": only.key}));
    for (const field of only ? only.fields : section.fields) {
      if (field.key === "schema") continue;   // always landapproval/v1
      box.append(fieldRow(field, only ? `${only.key}.${field.key}` : field.key, data));
    }
    form.append(box);
  }
}

function collect() {
  const data = {};
  const unions = new Map();
  for (const input of document.querySelectorAll("#case-form [data-path]")) {
    const path = input.dataset.path;
    const text = input.value.trim();
    if (input.dataset.union) { unions.set(input.dataset.union, {...(unions.get(input.dataset.union) || {}), [path.split(".").pop()]: text}); continue; }
    if (text === "") continue;
    let value = text;
    // yes/no: true or false; anything else is sent as written, so the server names it (never read as 否)
    if (input.dataset.kind === "bool") value = text === "true" ? true : text === "false" ? false : text;
    setPath(data, path, value);
  }
  for (const [path, {name, level}] of unions) {
    if (name && level) setPath(data, path, {name, level});
    else if (name) setPath(data, path, name);
    else if (level) setPath(data, path, {level});
  }
  // rows keep their index even when empty, so the server's field paths point at the right row
  for (const block of document.querySelectorAll("#case-form .table-block")) {
    const {path, tbody} = block._table;
    const rows = [...tbody.rows];
    const none = block.querySelector(".none-box");
    if (!rows.length) { if (none && none.checked) setPath(data, path, []); continue; }
    const list = getPath(data, path) || [];
    rows.forEach((tr, i) => {
      list[i] = list[i] || {};
      const b = boundaries.get(tr);
      if (b !== undefined) {
        list[i].boundary = typeof b === "string" ? b : Object.fromEntries(Object.entries(b).filter(([k]) => k !== "name"));
      }
    });
    setPath(data, path, Array.from(list, (row) => row || {}));
  }
  return data;
}

function clearErrors() {
  document.querySelectorAll(".err").forEach((node) => { node.textContent = ""; });
  document.querySelectorAll("[aria-invalid]").forEach((node) => node.removeAttribute("aria-invalid"));
  $("#general-errors").replaceChildren();
}

function generalErrors(messages) {
  const box = $("#general-errors");
  box.replaceChildren(...messages.map((m) => el("p", {text: m})));
}

// where a problem is, in the official's words: 地块 P2（第 2 个地块）的 耕地 — never the field path
function placeWords(path) {
  if (!path) return "";
  const parts = [];
  let so = "";
  for (const m of path.matchAll(/([^.\[\]]+)|\[(\d+)\]/g)) {
    if (m[2] !== undefined) {
      const n = Number(m[2]);
      const row = document.querySelectorAll(`#case-form [data-table="${CSS.escape(so)}"] tbody tr`)[n];
      const idInput = row && row.querySelector('[data-rel="id"]');
      const name = label(fieldOf(so)).split("（")[0];
      const id = idInput && idInput.value.trim() ? " " + idInput.value.trim() : "";
      parts[parts.length - 1] = lang === "zh" ? `${name}${id}（第 ${n + 1} 个${name}）` : `${name}${id} (no. ${n + 1})`;
      so += `[${n}]`;
      continue;
    }
    so = so ? `${so}.${m[1]}` : m[1];
    const f = fieldOf(so);
    if (!f.label) { parts.push(`“${path.slice(path.indexOf(m[1]))}”`); break; }
    const next = path.slice(so.length);
    if (!next || next.startsWith("[") || (f.kind === "group" && so.startsWith("review.") && so.split(".").length === 2)) parts.push(label(f));
  }
  return parts.join(lang === "zh" ? "的 " : ": ");
}

function problemText(p) {
  return p.suggestion ? `${p.message} — ${p.suggestion}` : p.message;
}

// each problem next to its field (or the nearest enclosing one); the rest at the top
function showProblems(problems) {
  clearErrors();
  const rest = [];
  let first = null;
  for (const p of problems) {
    let path = p.path || "";
    let slot = null;
    while (path) {
      slot = document.querySelector(`#case-form .err[data-errpath="${CSS.escape(path)}"]`);
      const shorter = path.replace(/(\.[^.\[]+|\[\d+\])$/, "");
      if (slot || shorter === path) break;
      path = shorter;
    }
    const where = placeWords(p.path === "--as-of" ? "" : p.path);
    if (!slot) { rest.push(where ? `${where}：${problemText(p)}` : problemText(p)); continue; }
    const line = el("div", {text: (path === p.path ? "" : `${where}：`) + problemText(p)});
    slot.append(line);
    const input = slot.parentNode.querySelector("[data-path], input, select");
    if (input && input.dataset.path === p.path && p.suggestions && p.suggestions.length) {
      // "did you mean": one click writes the suggestion into the field
      const col = columnOf(input);
      for (const suggestion of p.suggestions.slice(0, 3)) {
        line.append(" ", el("button", {type: "button", class: "suggest", text: `${t("use")} ${suggestion}`,
          onclick: () => { setCell(input, col, suggestion); input.removeAttribute("aria-invalid"); line.remove(); input.focus(); }}));
      }
    }
    if (input) { input.setAttribute("aria-invalid", "true"); first = first || input; }
  }
  const count = t("errors_count").replace("{n}", problems.length);
  generalErrors([count, ...rest]);
  if (first) first.focus();
}

// ------------------------------------------------------------------------------------------
// Talking to the server

// A server started with --token-file answers 401 until the official gives the token; it is kept
// for this tab only (sessionStorage) and sent as `Authorization: Bearer …`.
async function call(url, options = {}) {
  for (let attempt = 0; attempt < 3; attempt++) {
    const token = sessionStorage.getItem("landapproval-token");
    const headers = {...(options.headers || {}), ...(token ? {Authorization: `Bearer ${token}`} : {})};
    const response = await fetch(url, {...options, headers});
    if (response.status !== 401) return response;
    const given = window.prompt(UI[lang].token_prompt);
    if (given === null) return response;
    sessionStorage.setItem("landapproval-token", given.trim());
  }
  return fetch(url, options);
}

async function post(url, body, type = "application/json") {
  return call(url, {method: "POST", headers: {"Content-Type": type}, body});
}

async function problemsOf(response) {
  if (response.status >= 500) {   // the server's own failure: said in the page's language, with its reference
    let ref = "";
    try { ref = ((await response.json()).message || "").match(/[0-9a-f]{12}/) || ""; } catch { /* no body */ }
    return [{path: "", message: t("server_error").replace("{ref}", ref ? String(ref) : String(response.status))}];
  }
  try {
    const body = await response.json();
    return body.problems && body.problems.length ? body.problems : [{path: "", message: body.message || response.statusText}];
  } catch { return [{path: "", message: `${response.status} ${response.statusText}`}]; }
}

function status(text) { $("#status").textContent = text; }

async function openText(text) {
  status(t("working"));
  const response = await post(`/web/open?lang=${lang}`, text, "application/yaml");
  if (!response.ok) { showProblems(await problemsOf(response)); status(""); return; }
  const body = await response.json();
  renderForm(body.case);
  clearResult();
  if (body.problems.length) showProblems(body.problems); else clearErrors();
  status(t("done"));
  document.body.dataset.opened = String(Number(document.body.dataset.opened || 0) + 1);  // the browser tests wait on it
}

function clearResult() {
  lastDecision = null; lastMap = null;
  $("#result").replaceChildren();
  $("#download-json").disabled = true;
  $("#open-report").disabled = true;
}

// counts the answers the page has shown (the browser tests wait on it)
function answered() { document.body.dataset.answers = String(Number(document.body.dataset.answers || 0) + 1); }

async function evaluate() {
  try { await evaluateCase(); } finally { answered(); }
}

async function evaluateCase() {
  status(t("working"));
  const response = await post(`/web/evaluate?lang=${lang}`, JSON.stringify(collect()));
  if (!response.ok) { clearResult(); showProblems(await problemsOf(response)); status(""); return; }
  clearErrors();
  const body = await response.json();
  lastDecision = body.decision; lastMap = body.map; lastDecision_asOf = body.as_of_words;
  lastVerdict = {verdict: body.verdict, short: body.verdict_short, next: body.next_words, authority: body.authority_words};
  lastDeciding = body.deciding;
  showDecision(lastDecision, lastMap);
  $("#download-json").disabled = false;
  $("#open-report").disabled = false;
  status(t("done"));
  $("#verdict").focus();
}

function save(blob, name) {
  const url = URL.createObjectURL(blob);
  const a = el("a", {href: url, download: name});
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60000);
}

// the server names a download in Chinese (RFC 6266 filename*=UTF-8''…), with an ASCII filename beside it
function fileNameOf(response, fallback) {
  const header = response.headers.get("Content-Disposition") || "";
  const star = header.match(/filename\*=UTF-8''([^;\s]+)/i);
  if (star) { try { return decodeURIComponent(star[1]); } catch { /* the plain name below */ } }
  const m = header.match(/filename="([^"]+)"/);
  return m ? m[1] : fallback;
}

async function downloadYaml() {
  const response = await post(`/web/yaml?lang=${lang}`, JSON.stringify(collect()));
  if (!response.ok) { showProblems(await problemsOf(response)); return; }
  save(await response.blob(), fileNameOf(response, "case.yaml"));
}

function downloadJson() {
  if (!lastDecision) return;
  const text = JSON.stringify(lastDecision, null, 2) + "\n";
  save(new Blob([text], {type: "application/json"}), `${lastDecision.case}.decision.json`);
}

async function openReport() {
  const tab = window.open("", "_blank");   // opened on the click, so no popup blocker stops it
  const withAppendix = document.body.classList.contains("show-tech") ? "&appendix=true" : "";
  const response = await post(`/web/report?lang=${lang}${withAppendix}`, JSON.stringify(collect()));
  if (!response.ok) { if (tab) tab.close(); showProblems(await problemsOf(response)); return; }
  const url = URL.createObjectURL(new Blob([await response.text()], {type: "text/html"}));
  if (tab) tab.location.href = url; else save(await response.blob(), fileNameOf(response, "report.html"));
}

// ------------------------------------------------------------------------------------------
// The decision: the verdict first

// the approving government in the server's words (decision.words.authority_words: 翼城县人民政府（省政府授权）)
function levelText(part) {
  return (lastVerdict && lastVerdict.authority && lastVerdict.authority[part]) || meta.words.text[lang].none;
}

// evidence a finding says is missing, by the names of its fields (never their paths)
function missingNames(f) {
  return (f.missing || []).map((path) => label(fieldOf(path))).join("；");
}

function findingNode(f) {
  const sev = meta.words.severity[lang][f.severity] || f.severity;
  const missing = f.missing && f.missing.length && f.code.includes(".missing.");
  const node = el("div", {class: "finding " + f.severity},
    el("span", {class: "sev", text: `[${sev}]`}), " ", missing ? `${t("missing_evidence")}${missingNames(f)}` : f.message,
    el("div", {class: "cite"}, `${t("basis")}: ${f.citation}`, el("span", {class: "tech", text: ` · ${f.code}`})));
  if (f.remedy) node.append(el("div", {class: "remedy", text: `${t("remedy")}: ${missing ? t("supply") + missingNames(f) : f.remedy}`}));
  const known = Object.entries(f.facts || {}).filter(([, v]) => v !== "unknown");
  if (f.figures && f.figures.length) {   // the figures in words, as the report shows them
    node.append(el("ul", {class: "figures"}, f.figures.map((line) => el("li", {text: line}))));
  } else if (known.length) {
    node.append(el("div", {class: "figures tech", text: `${t("figures")}: ` + known.map(([k, v]) => `${k} = ${display(v)}`).join("；")}));
  }
  for (const path of f.missing || []) {   // evidence not given: a button to the field that takes it
    const input = document.querySelector(`#case-form [data-path="${CSS.escape(path)}"], #case-form [data-target="${CSS.escape(path)}"]`);
    if (input) node.append(" ", el("button", {type: "button", class: "goto", text: `${t("fill_in")} ${label(fieldOf(path))}`,
      onclick: () => { input.scrollIntoView({block: "center"}); input.focus(); }}));
  }
  return node;
}

function showDecision(d, svg) {
  const words = meta.words.text[lang];
  const status_ = meta.words.status[lang];
  const out = [];
  const said = lastVerdict || {};   // the server's words (decision.words.verdict), never re-derived here
  out.push(el("div", {id: "verdict", tabindex: "-1", class: "verdict " + (d.approvable ? "yes" : "no"),
                      text: said.verdict || (d.approvable ? words.verdict_yes : words.verdict_no)}),
           el("p", {id: "next-step", class: "meta", text: `${t("next_step")}：${said.next || ""}`}),
           el("p", {class: "meta", text: `${words.case} ${d.case} · ${d.county ? d.county.name : ""} · ${words.as_of} ${d.as_of}（${lastDecision_asOf || d.as_of_source || ""}）`}));
  const rows = ["conversion", "expropriation"].map((part) => {
    const entry = d.authority[part];
    return el("tr", {"data-part": part}, el("th", {scope: "row", text: words[part]}),
      el("td", {class: "approver", text: levelText(part)}),
      el("td", {}, entry ? [...entry.reasons.map((r) => el("div", {text: r})),
        el("div", {class: "cite"}, `${t("basis")}: ${entry.citations.join("；")}`, el("span", {class: "tech", text: ` · ${entry.rule}`}))] : ""));
  });
  rows.push(el("tr", {"data-part": "deciding"}, el("th", {scope: "row", text: words.deciding}),
    el("td", {colspan: "2", class: "deciding", text: (lastDeciding || []).join("；")})));
  out.push(el("h2", {text: t("authority")}),
           el("table", {class: "grid", id: "authority"}, el("tr", {}, el("th", {text: t("part")}), el("th", {text: t("approver")}), el("th", {text: t("why")})), rows));
  if (d.authority.conversion && d.authority.expropriation) out.push(el("p", {text: d.authority.together ? words.together : words.separate}));
  const tc = d.totals;
  out.push(el("p", {class: "meta", text: `${words.totals}: ${words.agri} ${tc.conversion.agricultural} · ${words.cult} ${tc.conversion.cultivated} · ${words.pbf} ${tc.conversion.permanent_basic_farmland} ${words.ha}`}));
  out.push(el("h2", {text: t("checks")}),
           el("table", {class: "grid", id: "checks"},
             el("tr", {}, el("th", {text: t("item")}), el("th", {text: t("status")}), el("th", {text: t("findings")})),
             d.checks.map((c) => el("tr", {"data-check": c.id},
               el("th", {scope: "row"}, `${c.id} ${c.title || ""}`, el("div", {class: "cite", text: c.citation || ""})),
               el("td", {class: "st " + c.status, text: status_[c.status]}),
               el("td", {}, c.findings.map(findingNode))))));
  out.push(el("h2", {text: t("timeline")}),
           el("ol", {class: "timeline", id: "timeline"}, d.workflow.steps.map((s) => el("li", {class: s.status, "data-step": s.id},
             el("b", {text: `${s.id} ${s.title || ""}`}), " — ", el("span", {class: "st " + s.status, text: status_[s.status]}),
             s.due ? el("span", {class: "due", text: ` · ${t("due")} ${s.due}`}) : null,
             d.workflow.next === s.id ? el("b", {class: "next", text: ` · ${t("next")}`}) : null,
             el("div", {class: "cite", text: s.citation || ""}), s.findings.map(findingNode)))));
  const all = [...d.checks.flatMap((c) => c.findings.map((f) => [c.id, f])), ...d.workflow.steps.flatMap((s) => s.findings.map((f) => [s.id, f]))];
  all.sort((a, b) => (a[1].severity === "blocking" ? 0 : 1) - (b[1].severity === "blocking" ? 0 : 1));
  out.push(el("h2", {text: t("all_findings")}),
           all.length ? el("ul", {class: "findings", id: "findings"}, all.map(([id, f]) => el("li", {}, el("b", {text: id + " "}), findingNode(f))))
                      : el("p", {text: t("none_found")}));
  out.push(el("h2", {text: t("map")}), el("p", {class: "meta", text: meta.layers ? t("layers_on") : t("layers_off")}));
  if (svg) {
    const doc = new DOMParser().parseFromString(svg, "image/svg+xml");
    const figure = el("figure", {id: "map"});
    figure.append(document.importNode(doc.documentElement, true));
    out.push(figure);
  } else out.push(el("p", {id: "no-map", text: t("no_map")}));
  if (d.geometry && d.geometry.parcels) {
    out.push(el("table", {class: "grid", id: "measured"}, el("caption", {text: t("measured")}), el("tr", {}, el("th", {text: t("parcel")}), el("th", {text: t("plane")}), el("th", {text: t("ellipsoid")})),
      d.geometry.parcels.map((p) => el("tr", {}, el("td", {text: p.id}), el("td", {text: p.area_plane}), el("td", {text: p.area_ellipsoid})))));
  }
  const toggleId = "appendix-toggle";
  const toggle = el("input", {type: "checkbox", id: toggleId});
  toggle.checked = document.body.classList.contains("show-tech");
  toggle.addEventListener("change", () => document.body.classList.toggle("show-tech", toggle.checked));
  out.push(el("p", {class: "tech-toggle"}, toggle, " ", el("label", {for: toggleId, text: t("appendix_toggle")})),
           el("div", {class: "tech", id: "appendix"},
             el("h2", {text: words.appendix}),
             el("ul", {}, [`${words.as_of_field}: ${d.as_of_source}`,
                           ...["conversion", "expropriation"].filter((p) => d.authority[p]).map((p) => `${words[p]}: ${d.authority[p].rule}`),
                           `${words.law}: landapproval ${d.law.version || ""} · rules sha256 ${d.law.rules_sha256 || ""}`].map((line) => el("li", {}, el("code", {text: line}))))));
  $("#result").replaceChildren(...out);
}

// ------------------------------------------------------------------------------------------
// Batch

function base64(buffer) {
  const bytes = new Uint8Array(buffer);
  let text = "";
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
}

async function runBatch() {
  const files = [...$("#file-batch").files];
  $("#batch-errors").replaceChildren();
  if (!files.length) return;
  const total = files.reduce((n, f) => n + f.size, 0);
  if (total * 4 / 3 > meta.limits.batch_bytes) { $("#batch-errors").append(el("p", {text: t("too_big").replace("{n}", meta.limits.batch_bytes)})); return; }
  $("#batch-status").textContent = t("working");
  batchBody = JSON.stringify({files: await Promise.all(files.map(async (f) => ({name: f.name, content: base64(await f.arrayBuffer())})))});
  const response = await post(`/web/batch?lang=${lang}`, batchBody);
  if (!response.ok) {
    $("#batch-errors").append(...(await problemsOf(response)).map((p) => el("p", {text: problemText(p)})));
    $("#batch-status").textContent = "";
    return;
  }
  const body = await response.json();
  // the table on the page keeps to what decides a row; the downloads (CSV, xlsx) carry every column, 认定事实 too
  const shown = body.columns.filter((c) => !["county_code", "kind", "as_of", "deciding"].includes(c.key));
  $("#batch-result").replaceChildren(el("div", {class: "scroll"}, el("table", {class: "grid", id: "batch-table"},
    el("tr", {}, shown.map((c) => el("th", {scope: "col", text: c.label}))),
    body.rows.map((r) => el("tr", {class: r.approvable === null ? "bad" : (r.approvable ? "yes" : "no")},
      shown.map((c) => el("td", {class: "col-" + c.key, text: c.key === "verdict" && r.approvable === null ? t("unreadable") : r[c.key]})))))),
    el("pre", {class: "summary", text: body.summary}));
  $("#batch-csv").disabled = false;
  $("#batch-xlsx").disabled = false;
  $("#batch-status").textContent = t("done");
}

async function batchDownload(format) {
  if (!batchBody) return;
  const response = await post(`/web/batch?lang=${lang}&format=${format}`, batchBody);
  if (response.ok) save(await response.blob(), fileNameOf(response, `batch.${format}`));
}

// ------------------------------------------------------------------------------------------
// Language, views, start

function applyLanguage() {
  document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
  document.title = t("title");
  document.querySelectorAll("[data-t]").forEach((node) => { node.textContent = t(node.dataset.t); });
  const sw = $("#lang-switch");
  sw.textContent = lang === "zh" ? "English" : "中文";
  sw.lang = lang === "zh" ? "en" : "zh";
  const kind = meta.sections[0].fields.find((f) => f.key === "kind");
  const select = $("#blank-kind");
  const chosen = select.value;
  select.replaceChildren(...kind.values.map((v) => el("option", {value: v, text: valueLabel(kind, v)})));
  if (chosen) select.value = chosen;
}

async function switchLanguage() {
  const data = collect();
  lang = lang === "zh" ? "en" : "zh";
  applyLanguage();
  const rows = document.querySelectorAll('[data-table="parcels"] tbody tr');
  const kept = [...rows].map((tr) => boundaries.get(tr));
  renderForm(data);
  document.querySelectorAll('[data-table="parcels"] tbody tr').forEach((tr, i) => {
    if (kept[i] !== undefined) { boundaries.set(tr, kept[i]); tr.querySelector(".boundary")._show(); }
  });
  if (lastDecision) await evaluate();
}

function showView(name) {
  $("#view-case").hidden = name !== "case";
  $("#view-batch").hidden = name !== "batch";
  $("#tab-case").setAttribute("aria-pressed", String(name === "case"));
  $("#tab-batch").setAttribute("aria-pressed", String(name === "batch"));
}

async function start() {
  meta = await (await call("/web/form")).json();
  applyLanguage();
  renderForm({kind: "batch"});
  $("#file-case").addEventListener("change", async (event) => {
    const file = event.target.files[0];
    if (!file) return;
    try { await openText(await fileText(file)); } catch (error) { generalErrors([String(error.message || error)]); }
  });
  $("#paste-open").addEventListener("click", () => openText($("#paste-case").value));
  $("#blank-new").addEventListener("click", () => { renderForm({kind: $("#blank-kind").value}); clearResult(); clearErrors(); });
  $("#file-boundary-case").addEventListener("change", async (event) => {
    const file = event.target.files[0];
    if (!file) return;
    try { await caseBoundary(file); } catch (error) { generalErrors([String(error.message || error)]); }
  });
  $("#evaluate").addEventListener("click", evaluate);
  $("#download-yaml").addEventListener("click", downloadYaml);
  $("#download-json").addEventListener("click", downloadJson);
  $("#open-report").addEventListener("click", openReport);
  $("#lang-switch").addEventListener("click", switchLanguage);
  $("#tab-case").addEventListener("click", () => showView("case"));
  $("#tab-batch").addEventListener("click", () => showView("batch"));
  $("#batch-run").addEventListener("click", runBatch);
  $("#batch-csv").addEventListener("click", () => batchDownload("csv"));
  $("#batch-xlsx").addEventListener("click", () => batchDownload("xlsx"));
  document.body.dataset.ready = "true";
}

document.addEventListener("DOMContentLoaded", start);
