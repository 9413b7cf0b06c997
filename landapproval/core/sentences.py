"""Sentences about a file as a whole, in Chinese and English, shared by every reader (case files,
rule files, layers files, boundaries): what is wrong with the file, and "did you mean"."""

from __future__ import annotations

import difflib
import unicodedata
from typing import Any, Callable, Iterable

from landapproval.core.errors import Text


def plain(text: str) -> str:
    """Full-width forms folded (NFKC) and surrounding blanks dropped."""
    return (text if text.isascii() else unicodedata.normalize("NFKC", text)).strip()


def shown(value: Any, limit: int = 40) -> str:
    """A value as the user wrote it, short enough for one line."""
    if isinstance(value, str):
        text = value
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif value is None:
        text = "null"
    elif isinstance(value, dict):
        text = "{" + ", ".join(map(str, list(value)[:3])) + (", …}" if len(value) > 3 else "}")
    elif isinstance(value, list):
        text = f"[{len(value)} 项]" if value else "[]"
    else:
        text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def suggest(typed: str, names: Iterable[str], cutoff: float = 0.5) -> list[str]:
    names = list(dict.fromkeys(names))
    text = plain(typed)
    return difflib.get_close_matches(text, names, n=3, cutoff=cutoff) or \
        difflib.get_close_matches(text.lower(), [n.lower() for n in names], n=3, cutoff=cutoff)



def file_problem(kind: str, **values: Any) -> Text:
    """Sentences for problems with the file itself (path "")."""
    v = values
    table = {
        "too_big": (f"文件有 {v.get('size', 0):,} 字节，超过上限 {v.get('limit', 0):,} 字节：这不是一个案件文件",
                    f"the file is {v.get('size', 0):,} bytes; the limit is {v.get('limit', 0):,}"),
        "directory": ("这是一个文件夹，不是案件文件", "is a directory, not a case file"),
        "unreadable": (f"无法读取文件（{v.get('reason', '')}）", f"cannot be read: {v.get('reason', '')}"),
        "not_found": ("文件不存在：请检查路径和文件名", "no such file: check the path and the name"),
        "encoding": ("文件既不是 UTF-8 也不是 GBK/GB18030 编码的文字：请用记事本“另存为”，编码选 UTF-8",
                     "the file is neither UTF-8 nor GBK/GB18030 text: save it as UTF-8"),
        "nul": ("文件中有 NUL 字符：这不是文本文件", "contains NUL characters: not a text file"),
        "depth": (f"嵌套超过 {v.get('limit', 0)} 层：案件文件最多嵌套 5 层，请检查缩进",
                  f"nested more than {v.get('limit', 0)} levels deep"),
        "not_mapping": (f"案件文件应为一组“字段: 值”（landapproval/v1），实际是{v.get('got_zh', '')}：可用 landapproval init 生成模板",
                        f"a case file is a mapping of fields (schema landapproval/v1), got {v.get('got_en', '')}; "
                        "`landapproval init` writes a template"),
        "not_a_case": ("这不是案件文件：没有 id、county、kind、scope、parcels 中的任何一项（图层文件请用 --layers 指定；"
                       "新案件可用 landapproval init 生成模板）",
                       "not a case file: none of id, county, kind, scope, parcels (give a layers file with --layers; "
                       "`landapproval init` writes a case template)"),
        "anchors": ("案件文件中不接受 YAML 锚点和别名（& 和 *）：请把内容直接写出", "YAML anchors and aliases (&, *) are not accepted in case files"),
        "repeated_key": (f"字段“{shown(v.get('key'))}”在同一层写了两次：请删去一处", f"the key {shown(v.get('key'))!r} appears twice in one mapping"),
        "bad_key": ("字段名应为普通文字", "a mapping key must be a plain name"),
        "gb18030": ("文件不是 UTF-8 编码，已按 GBK/GB18030（Windows 记事本的“ANSI”）读取；建议“另存为”UTF-8",
                    "the file is not UTF-8; it was read as GBK/GB18030 (Windows Notepad's \"ANSI\"); save it as UTF-8"),
    }
    zh, en = table[kind]
    return Text(zh, en)


_TIGHT = __import__("re").compile(r"^\s*(?:-\s+)?[A-Za-z_][A-Za-z0-9_]*:[^\s:/]")


def yaml_problem(problem: str, rows: list[tuple[int, str]], line: int | None,
                 column: int | None) -> tuple[Text, int | None]:
    """A PyYAML parser message as a sentence an official can act on, and the line it is about
    (`rows`: the line the parser stopped on and the one before, where the mistake often is)."""
    def found(test: Callable[[str], bool]) -> int | None:
        return next((n for n, row in reversed(rows) if test(row)), None)

    tab = found(lambda row: "\t" in row[: len(row) - len(row.lstrip())])
    colon = found(lambda row: "：" in row.split("#", 1)[0] and ":" not in row.split("#", 1)[0])
    # key:value with no space after the colon (YAML reads it as one word)
    tight = found(lambda row: _TIGHT.match(row.split("#", 1)[0]) is not None)
    column_text = (f"第 {column} 列：", f", column {column}") if column else ("", "")
    if tab is not None or "'\\t'" in problem:
        line = tab or line
        hint = Text("用了制表符（Tab）缩进：YAML 只能用空格缩进", "a tab is used for indentation: YAML indents with spaces only")
        column_text = ("", "")
    elif tight is not None:
        line = tight
        row = next(r for n, r in rows if n == tight).split("#", 1)[0].strip().lstrip("-{ ")
        key, _, value = row.partition(":")
        hint = Text(f"冒号后缺少空格：“{row}”被读成一个词；请写成 {key}: {value}（冒号后加一个空格）",
                    f"no space after the colon: {row!r} reads as one word; write {key}: {value}")
        column_text = ("", "")
    elif colon is not None:
        line = colon
        hint = Text("用了全角冒号“：”：字段名和值之间应为半角冒号加空格，例如 county: 洪洞县",
                    "a full-width colon '：' is used: write a half-width colon and a space, e.g. county: 洪洞县")
        column_text = ("", "")
    elif "mapping values are not allowed" in problem:
        hint = Text("冒号位置不对：值中含有“: ”时请给值加引号，或检查缩进",
                    "a colon in the wrong place: quote a value that contains ': ', or check the indentation")
    elif "could not find expected ':'" in problem:
        hint = Text("缺少冒号：每行应为“字段: 值”（冒号后加空格）", "a colon is missing: each line is 'key: value'")
    elif "quoted scalar" in problem or "end of stream" in problem:
        hint = Text("引号没有配对：请检查这一行的引号", "a quote is not closed")
    elif "indentation" in problem or "expected <block end>" in problem or "did not find expected" in problem:
        hint = Text("缩进不对齐：同一层的字段应左对齐，下一层多缩进两个空格",
                    "the indentation does not line up: fields of one level start in the same column")
    else:
        hint = Text("格式有误：请检查缩进、冒号和引号", f"not valid YAML ({problem})")
    where = Text(f"第 {line} 行{column_text[0] or '：'}" if line else "",
                 f"line {line}{column_text[1]}" if line else "")
    return Text(f"不是有效的 YAML：{where.zh}{hint.zh}", f"not valid YAML ({where.en}): {hint.en}"), line


def json_problem(message: str, line: int, column: int) -> Text:
    return Text(f"不是有效的 JSON：第 {line} 行第 {column} 列格式有误（检查逗号、引号和括号）",
                f"not valid JSON (line {line}, column {column}): {message}")
