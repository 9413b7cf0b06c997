"use strict";
// The 台账 page: everything from /v1/cases and /v1/reports with the caller's token.
const $ = (id) => document.getElementById(id);
const LEVEL = {county: "县级", city: "市", province: "省", state_council: "国务院"};
let offset = 0;
const LIMIT = 20;

$("token").value = sessionStorage.getItem("ledger-token") || "";
$("token").addEventListener("change", () => sessionStorage.setItem("ledger-token", $("token").value));

function headers() {
  const token = $("token").value.trim();
  return token ? {Authorization: "Bearer " + token} : {};
}

async function get(url) {
  $("error").textContent = "";
  const answer = await fetch(url, {headers: headers()});
  if (!answer.ok) {
    let message = answer.status + "";
    try { message += " " + (await answer.json()).message; } catch (e) { /* not JSON */ }
    $("error").textContent = "请求失败：" + message;
    throw new Error(message);
  }
  return answer;
}

function cell(row, text) {
  const td = document.createElement("td");
  td.textContent = text == null ? "" : String(text);
  row.appendChild(td);
}

async function search() {
  const query = new URLSearchParams({offset: String(offset), limit: String(LIMIT)});
  for (const name of ["county", "status", "year"]) {
    if ($(name).value.trim()) query.set(name, $(name).value.trim());
  }
  const data = await (await get("/v1/cases?" + query)).json();
  const body = $("cases").querySelector("tbody");
  body.textContent = "";
  for (const c of data.cases) {
    const row = document.createElement("tr");
    row.className = "case";
    row.dataset.county = c.county;
    row.dataset.id = c.id;
    cell(row, c.county_name); cell(row, c.id); cell(row, c.status); cell(row, c.versions);
    cell(row, (LEVEL[c.conversion] || "—") + " / " + (LEVEL[c.expropriation] || "—")); cell(row, c.title);
    row.addEventListener("click", () => history(c.county, c.id));
    body.appendChild(row);
  }
  $("total").textContent = "共 " + data.total + " 件";
}

async function history(county, id) {
  const c = await (await get("/v1/cases/" + encodeURIComponent(county) + "/" + encodeURIComponent(id))).json();
  const box = $("history");
  box.textContent = "";
  const title = document.createElement("h3");
  title.textContent = c.county_name + " " + c.id + "：" + c.status;
  box.appendChild(title);
  const versions = document.createElement("ol");
  versions.id = "versions";
  for (const v of c.versions) {
    const li = document.createElement("li");
    const last = v.decisions[v.decisions.length - 1];
    li.textContent = "第" + v.number + "版 " + v.recorded_at.slice(0, 16) + " " + v.recorded_by +
      (last ? "，决定：" + (last.approvable ? "可以批准" : "暂不能批准") + "（规则 " + last.rules_sha256.slice(0, 12) + "）" : "");
    for (const change of v.changes) {
      const item = document.createElement("div");
      item.className = "change";
      item.textContent = "变更 " + change.label + " " + change.field + "：" + change.old + " → " + change.new;
      li.appendChild(item);
    }
    versions.appendChild(li);
  }
  box.appendChild(versions);
  const events = document.createElement("table");
  events.id = "events";
  for (const e of c.events) {
    const row = document.createElement("tr");
    cell(row, e.day); cell(row, e.kind); cell(row, e.recorded_by); cell(row, e.note);
    cell(row, e.corrects ? "更正事件 " + e.corrects : "");
    events.appendChild(row);
  }
  box.appendChild(events);
}

function reportQuery(format) {
  const query = new URLSearchParams({year: $("report-year").value.trim(), format});
  if ($("report-county").value.trim()) query.set("county", $("report-county").value.trim());
  return "/v1/reports/quality?" + query;
}

$("search").addEventListener("click", () => { offset = 0; search(); });
$("next").addEventListener("click", () => { offset += LIMIT; search(); });
$("prev").addEventListener("click", () => { offset = Math.max(0, offset - LIMIT); search(); });
$("show-report").addEventListener("click", async () => {
  const html = await (await get(reportQuery("html"))).text();
  const doc = new DOMParser().parseFromString(html, "text/html");
  $("report").replaceChildren(...doc.body.childNodes);
});
$("download").addEventListener("click", async () => {
  const blob = await (await get(reportQuery("xlsx"))).blob();
  const link = document.createElement("a");
  link.href = URL.createObjectURL(blob);
  link.download = "报件质量通报-" + $("report-year").value.trim() + ".xlsx";
  document.body.appendChild(link);
  link.click();
  link.remove();
});
