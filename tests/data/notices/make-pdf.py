#!/usr/bin/env python3
"""Writes a PDF holding a notice's text, for the PDF fixture of `tests/draft.rs`.

    python3 tests/data/notices/make-pdf.py seed-2023-10-10-db-upgrade-revised.txt seed-2023-10-10-db-upgrade-revised.pdf

No tool or font is needed: each line is one text line of a Type0 font with Identity-H
encoding (the code of a character is its Unicode code point, BMP only) and a ToUnicode map,
which is all `pdftotext` reads; the glyphs are not embedded, so viewers draw boxes. Tabs
become wide gaps, as table cells are in a published PDF.
"""
import sys

LINES_PER_PAGE = 60
LEADING = 13


def hexline(line: str) -> str:
    return "".join(f"{ord(c):04X}" for c in line)


def main(src: str, dst: str) -> None:
    text = open(src, encoding="utf-8").read().replace("\r\n", "\n")
    lines = [l.rstrip() for l in text.split("\n")]
    if any(ord(c) > 0xFFFF for l in lines for c in l):
        sys.exit("only BMP characters can be written")
    chars = sorted({c for l in lines for c in l.replace("\t", " ")} | {" "})
    pages = [lines[i:i + LINES_PER_PAGE] for i in range(0, len(lines), LINES_PER_PAGE)] or [[]]
    objs = {}
    # 1 catalog, 2 pages, 3 font, 4 descendant, 5 tounicode, then page/content pairs.
    cmap_entries = "\n".join(f"<{ord(c):04X}> <{ord(c):04X}>" for c in chars)
    blocks = [cmap_entries.split("\n")[i:i + 100] for i in range(0, len(chars), 100)]
    cmap = (
        "/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n"
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
        "/CMapName /Adobe-Identity-UCS def /CMapType 2 def\n"
        "1 begincodespacerange <0000> <FFFF> endcodespacerange\n"
        + "".join(f"{len(b)} beginbfchar\n" + "\n".join(b) + "\nendbfchar\n" for b in blocks)
        + "endcmap CMapName currentdict /CMap defineresource pop end end\n"
    )
    objs[5] = f"<< /Length {len(cmap.encode())} >>\nstream\n{cmap}endstream"
    objs[4] = ("<< /Type /Font /Subtype /CIDFontType2 /BaseFont /NoticeFont "
               "/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> "
               "/FontDescriptor 6 0 R /DW 1000 /W [32 [500] 33 126 500] /CIDToGIDMap /Identity >>")
    objs[6] = ("<< /Type /FontDescriptor /FontName /NoticeFont /Flags 4 /FontBBox [0 -120 1000 880] "
               "/ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 700 /StemV 80 >>")
    objs[3] = ("<< /Type /Font /Subtype /Type0 /BaseFont /NoticeFont /Encoding /Identity-H "
               "/DescendantFonts [4 0 R] /ToUnicode 5 0 R >>")
    kids = []
    n = 7
    for page in pages:
        ops = ["BT", "/F1 10 Tf"]
        for k, line in enumerate(page):
            y = 800 - k * LEADING
            x = 40
            for cell in line.split("\t"):
                if cell:
                    ops.append(f"1 0 0 1 {x} {y} Tm <{hexline(cell)}> Tj")
                x += 10 * (len(cell) + 4)
        ops.append("ET")
        content = "\n".join(ops) + "\n"
        objs[n + 1] = f"<< /Length {len(content.encode())} >>\nstream\n{content}endstream"
        objs[n] = (f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 2000 842] "
                   f"/Resources << /Font << /F1 3 0 R >> >> /Contents {n + 1} 0 R >>")
        kids.append(n)
        n += 2
    objs[2] = f"<< /Type /Pages /Kids [{' '.join(f'{k} 0 R' for k in kids)}] /Count {len(kids)} >>"
    objs[1] = "<< /Type /Catalog /Pages 2 0 R >>"
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for i in sorted(objs):
        offsets[i] = len(out)
        out += f"{i} 0 obj\n{objs[i]}\nendobj\n".encode()
    xref = len(out)
    size = max(objs) + 1
    out += f"xref\n0 {size}\n0000000000 65535 f \n".encode()
    for i in range(1, size):
        out += f"{offsets[i]:010d} 00000 n \n".encode() if i in offsets else b"0000000000 65535 f \n"
    out += f"trailer\n<< /Size {size} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    open(dst, "wb").write(out)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
