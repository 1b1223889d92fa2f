#!/usr/bin/env python3
"""The house's measures (issue #15): longest functions, files over 500 lines, places outside
the engine that build a window uid or walk lineages, README length.

    python3 bench/house.py [--max-fn 120]

Functions are found by `fn NAME` followed by a brace-matched body (strings, chars and
comments are skipped); a function's length is its lines from `fn` to the closing brace.
"""
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def strip(src: str) -> str:
    """Blank out comments, strings and char literals, keeping newlines and length."""
    out = []
    i, n = 0, len(src)
    while i < n:
        c = src[i]
        if src.startswith("//", i):
            j = src.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif src.startswith("/*", i):
            j = src.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r"[^\n]", " ", src[i:j]))
            i = j
        elif c == "r" and re.match(r'r#*"', src[i:i + 8]) and not src[i - 1:i].isalnum():
            m = re.match(r'r(#*)"', src[i:])
            end = '"' + m.group(1)
            j = src.find(end, i + len(m.group(0)))
            j = n if j < 0 else j + len(end)
            out.append(re.sub(r"[^\n]", " ", src[i:j]))
            i = j
        elif c == '"':
            j = i + 1
            while j < n and src[j] != '"':
                j += 2 if src[j] == "\\" else 1
            j += 1
            out.append(re.sub(r"[^\n]", " ", src[i:j]))
            i = j
        elif c == "'" and re.match(r"'(\\.|[^\\'])'", src[i:i + 4] + src[i + 4:i + 12]):
            m = re.match(r"'(\\[^']*|[^\\'])'", src[i:])
            j = i + len(m.group(0))
            out.append(" " * (j - i))
            i = j
        else:
            out.append(c)
            i += 1
    return "".join(out)


def functions(path: Path):
    text = strip(path.read_text())
    for m in re.finditer(r"\bfn\s+([A-Za-z_][A-Za-z0-9_]*)", text):
        k = text.find("{", m.end())
        semi = text.find(";", m.end())
        if k < 0 or (0 <= semi < k):
            continue
        depth, j = 0, k
        while j < len(text):
            if text[j] == "{":
                depth += 1
            elif text[j] == "}":
                depth -= 1
                if depth == 0:
                    break
            j += 1
        start = text.count("\n", 0, m.start()) + 1
        end = text.count("\n", 0, j) + 1
        yield m.group(1), start, end - start + 1


def main():
    max_fn = 120
    if "--max-fn" in sys.argv:
        max_fn = int(sys.argv[sys.argv.index("--max-fn") + 1])
    files = sorted((ROOT / "src").rglob("*.rs"))
    fns = [(n, f, s, ln) for f in files for (n, s, ln) in functions(f)]
    fns.sort(key=lambda x: -x[3])
    rel = lambda f: f.relative_to(ROOT)
    print(f"functions over {max_fn} lines: {sum(1 for x in fns if x[3] > max_fn)}")
    for n, f, s, ln in fns[:10]:
        print(f"  {ln:5} {rel(f)}:{s} {n}")
    big = [(len(f.read_text().splitlines()), f) for f in files]
    big = sorted([b for b in big if b[0] > 500], reverse=True)
    print(f"files over 500 lines: {len(big)}")
    for ln, f in big:
        print(f"  {ln:5} {rel(f)}")
    # The loader (src/format) builds lineages; everything after the engine must only ask.
    outside = [f for f in files if "engine" not in f.parts and "format" not in f.parts]
    uid = re.compile(r'format!\("\{[^}]*\}/\{')
    walk = re.compile(r"\.lineages\b|\.versions\b|lineages\(\)|\.lineage\(")
    hits = []
    for f in outside:
        for i, line in enumerate(f.read_text().splitlines(), 1):
            if uid.search(line) or walk.search(line):
                hits.append(f"  {rel(f)}:{i}: {line.strip()}")
    print(f"uid built or lineages walked in views, server, cli: {len(hits)}")
    print("\n".join(hits))
    print(f"README lines: {len((ROOT / 'README.md').read_text().splitlines())}")


if __name__ == "__main__":
    main()
