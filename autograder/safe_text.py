"""Text that comes from a submission, made safe for where it goes.

A submission controls its exception messages and type names, what it prints, and the names
of its files (so part of its id). None of that may act on the reader:

- ``printable``: control characters (ANSI escape sequences, carriage returns, bells) and
  invisible formatting characters (bidi overrides U+202A-202E and U+2066-2069, zero-width
  characters) shown escaped (``\\x1b``, ``\\u202e``), for a terminal, results.json or a
  web page; ``one_line=True`` escapes newlines and tabs too (a table cell, a log line);
- ``markdown_text``: one line of Markdown that renders as exactly that text (no heading,
  link, image, emphasis or HTML);
- ``markdown_code``: an inline code span, for an id or a file name (never a link);
- ``markdown_block``: a fenced code block that renders as exactly that text;
- ``csv_cell``: a spreadsheet cell that is never read as a formula (OWASP's advice: a
  cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a ``'``).
"""

import re
import unicodedata

_ESCAPED_CATEGORIES = ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp")


def printable(text: object, limit: int | None = None, one_line: bool = False) -> str:
    """``text`` with control and invisible formatting characters escaped (newlines and tabs
    kept unless ``one_line``), cut to about ``limit`` characters."""
    text = str(text)
    keep = "" if one_line else "\n\t"
    if (limit is None or len(text) <= limit) and (
        text if one_line else text.replace("\n", "").replace("\t", "")
    ).isprintable():
        return text  # the usual case, decided in C: nothing to escape (isprintable is stricter)
    out: list[str] = []
    size = 0
    for ch in text:
        if ch not in keep and unicodedata.category(ch) in _ESCAPED_CATEGORIES:
            ch = ch.encode("unicode_escape").decode("ascii")
        out.append(ch)
        size += len(ch)
        if limit is not None and size >= limit:
            rest = len(text) - len(out)
            if rest > 0:
                out.append(f"\n... ({rest} more characters not shown)")
            break
    return "".join(out)


# CommonMark lets every ASCII punctuation character be escaped with a backslash. Escaped
# here: what starts an inline construct (code, emphasis, links, images, HTML, entities, math,
# tables, strikethrough; ``_`` only at a word's edge, where it can emphasise), and at the
# start of the text what starts a block (heading, quote, list, setext underline).
_INLINE = re.compile(r"[\\`*\[\]<>&!~|$]|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])")
_BLOCK_START = re.compile(r"^(\s*)(?:([#+=-])|(\d+)([.)]))")


def markdown_text(text: object) -> str:
    """``text`` as one line of Markdown that renders literally (for a test's name; a
    submission's own text goes in ``markdown_code`` or ``markdown_block``)."""
    text = _INLINE.sub(lambda m: "\\" + m.group(0), printable(text, one_line=True))
    return _BLOCK_START.sub(
        lambda m: m.group(1) + (f"\\{m.group(2)}" if m.group(2) else f"{m.group(3)}\\{m.group(4)}"),
        text,
    )


def markdown_code(text: object) -> str:
    """``text`` as an inline code span: rendered literally, never a link (not even GitHub's
    automatic links for ``www.`` and ``http://`` text)."""
    text = printable(text, one_line=True)
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    ticks = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or not text.strip() else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


def markdown_block(text: object) -> str:
    """``text`` as a fenced code block (longer than any run of backticks in it), which
    Markdown renders literally: no heading, link, image or HTML inside takes effect."""
    text = printable(text)
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    ticks = "`" * max(3, longest + 1)
    return f"{ticks}text\n{text}\n{ticks}"


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> str:
    """``value`` as a spreadsheet cell that is never a formula."""
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


_UNSAFE = re.compile(r"[^A-Za-z0-9._+@-]")


def safe_id(name: str) -> str:
    """``name`` as a folder name that is safe everywhere."""
    text = _UNSAFE.sub("_", name).lstrip(".")
    return text[:100] or "submission"
