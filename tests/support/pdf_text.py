"""The text of a PDF that WeasyPrint wrote, for tests that check what a PDF says.

No PDF library is installed, so this reads just what WeasyPrint writes: objects (plain or
in compressed object streams), Flate streams, Type 0 fonts with a ``ToUnicode`` CMap, and
text drawn with ``Tf`` and ``Tj``/``TJ`` of hexadecimal glyph strings. Each text
positioning starts a new line; glyphs of one run are joined. Good enough to assert that a
phrase is in the document; not a general PDF reader.
"""

from __future__ import annotations

import re
import zlib

__all__ = ["page_count", "pdf_text"]

_OBJECT = re.compile(rb"(\d+) 0 obj\s*(.*?)endobj", re.S)
_STREAM = re.compile(rb"stream\r?\n")
_REF = re.compile(rb"/([^\s/<>\[\]()]+)\s+(\d+) 0 R")
_TO_UNICODE = re.compile(rb"/ToUnicode\s+(\d+) 0 R")
_HEX = re.compile(rb"<([0-9A-Fa-f\s]*)>")
_TOKENS = re.compile(
    rb"/([^\s/<>\[\]()]+)\s+[-\d.]+\s+Tf"      # font
    rb"|\[((?:[^\]])*)\]\s*TJ"                  # glyph runs with kerning
    rb"|<([0-9A-Fa-f]*)>\s*Tj"                  # one glyph run
    rb"|\b(Tm|Td|TD|T\*|ET)\b")                 # a new line of text


def _objects(pdf: bytes) -> tuple[dict[int, bytes], dict[int, bytes]]:
    """Object number → its dictionary text, and → its decoded stream (if any)."""
    dicts: dict[int, bytes] = {}
    streams: dict[int, bytes] = {}
    for match in _OBJECT.finditer(pdf):
        number, body = int(match[1]), match[2]
        start = _STREAM.search(body)
        if start is None:
            dicts[number] = body
            continue
        head = body[:start.start()]
        raw = body[start.end():body.rfind(b"endstream")]
        data = zlib.decompress(raw) if b"/FlateDecode" in head else raw
        dicts[number], streams[number] = head, data
        if b"/ObjStm" in head:
            dicts.update(_object_stream(head, data))
    return dicts, streams


def _object_stream(head: bytes, data: bytes) -> dict[int, bytes]:
    first_match = re.search(rb"/First (\d+)", head)
    count_match = re.search(rb"/N (\d+)", head)
    if first_match is None or count_match is None:
        return {}
    first, count = int(first_match[1]), int(count_match[1])
    numbers = [int(n) for n in data[:first].split()[: 2 * count]]
    pairs = list(zip(numbers[0::2], numbers[1::2], strict=True))
    found = {}
    for index, (number, offset) in enumerate(pairs):
        end = pairs[index + 1][1] if index + 1 < len(pairs) else len(data) - first
        found[number] = data[first + offset:first + end]
    return found


def _cmap(text: bytes) -> dict[int, str]:
    mapping: dict[int, str] = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", text, re.S):
        codes = _HEX.findall(block)
        for src, dst in zip(codes[0::2], codes[1::2], strict=False):
            mapping[int(src, 16)] = _utf16(dst)
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", text, re.S):
        for line in block.strip().splitlines():
            codes = _HEX.findall(line)
            if len(codes) < 3:
                continue
            low, high = int(codes[0], 16), int(codes[1], 16)
            if b"[" in line:
                for offset, dst in enumerate(codes[2:]):
                    mapping[low + offset] = _utf16(dst)
            else:
                base = _utf16(codes[2])
                for offset in range(high - low + 1):
                    mapping[low + offset] = base[:-1] + chr(ord(base[-1]) + offset)
    return mapping


def _utf16(hex_text: bytes) -> str:
    return bytes.fromhex(hex_text.decode().replace(" ", "")).decode("utf-16-be")


def _fonts(dicts: dict[int, bytes], streams: dict[int, bytes]) -> dict[bytes, dict[int, str]]:
    """Resource name of each font → its glyph-to-text map."""
    maps = {}
    for number, body in dicts.items():
        found = _TO_UNICODE.search(body)
        if found is not None and int(found[1]) in streams:
            maps[number] = _cmap(streams[int(found[1])])
    names: dict[bytes, dict[int, str]] = {}
    for body in dicts.values():
        for name, ref in _REF.findall(body):
            if int(ref) in maps and name != b"ToUnicode":
                names[name] = maps[int(ref)]
    return names


def _glyphs(hex_text: bytes, cmap: dict[int, str]) -> str:
    digits = hex_text.decode().replace(" ", "")
    return "".join(cmap.get(int(digits[i:i + 4], 16), "\ufffd")
                   for i in range(0, len(digits) - 3, 4))


def pdf_text(pdf: bytes) -> str:
    """The text drawn on the PDF's pages, one line per positioned run."""
    dicts, streams = _objects(pdf)
    fonts = _fonts(dicts, streams)
    lines: list[str] = []
    for data in streams.values():
        if b" Tf" not in data:
            continue
        cmap: dict[int, str] = {}
        line = ""
        for font, runs, single, move in _TOKENS.findall(data):
            if font:
                cmap = fonts.get(font, {})
            elif runs:
                line += "".join(_glyphs(h, cmap) for h in _HEX.findall(runs))
            elif single:
                line += _glyphs(single, cmap)
            elif move and line:
                lines.append(line)
                line = ""
        if line:
            lines.append(line)
    return "\n".join(lines)


def page_count(pdf: bytes) -> int:
    dicts, _ = _objects(pdf)
    return sum(1 for body in dicts.values() if re.search(rb"/Type\s*/Page\b(?!s)", body))
