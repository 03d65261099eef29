"""Wikitext to plain text with compiled regexes and a small brace scanner.

Rules, in the order they are applied (each has a micro-dump test in
``tests/corpora/test_wikitext_cleaner.py``):

1. ``<!-- comments -->`` are dropped (an unclosed comment drops the rest of the page, as
   MediaWiki does).
2. ``<ref>...</ref>``, ``<ref name=x/>`` and the content of ``<math>``, ``<chem>``,
   ``<gallery>``, ``<timeline>``, ``<syntaxhighlight>``, ``<source>``, ``<score>``,
   ``<graph>``, ``<mapframe>``, ``<imagemap>``, ``<templatedata>`` are dropped.
3. Templates ``{{...}}`` (nested to any depth, also ``{{{parameters}}}``) and tables
   ``{| ... |}`` (which start and end at the beginning of a line, nested) are dropped. An
   unmatched ``{{`` or ``}}`` is dropped on its own and the text around it kept.
4. Links ``[[target|anchor]]`` keep the anchor (``[[target]]`` keeps the target, the
   ``[[target]]s`` blend keeps the suffix). Links to files/images (with nested links in
   their captions), categories, other namespaces and interlanguage links
   (``[[de:Foo]]``) are dropped; ``[[:Category:Foo|x]]`` and interwiki links
   (``[[wikt:foo|foo]]``) keep their anchor.
5. External links ``[http://x y z]`` keep the label ``y z``; unlabelled ones and bare URLs
   are dropped.
6. Bold/italic quotes (``''``, ``'''``, ``'''''``) are dropped, single apostrophes kept.
7. Headings ``== Title ==`` keep their text on a line of their own; list and indent markers
   (``*#:;``) at the start of a line and horizontal rules are dropped; behaviour switches
   (``__TOC__``) are dropped.
8. Remaining HTML tags (``<br/>``, ``<small>``, ``<span style=...>``) are dropped, their
   content kept; HTML entities (``&nbsp;``, ``&ndash;``, ``&#8212;``) are resolved.
9. Runs of spaces are collapsed; lines are kept (a newline is a sentence boundary).
"""

from __future__ import annotations

import html
import operator
import re

__all__ = ["clean_wikitext", "is_disambiguation"]

_COMMENT_RE = re.compile(r"<!--.*?(?:-->|\Z)", re.S)
_DROP_TAGS = (
    "ref|math|chem|ce|gallery|timeline|syntaxhighlight|source|score|graph|mapframe|"
    "imagemap|templatedata|references|hiero|inputbox|categorytree|maplink"
)
_DROP_ELEMENT_RE = re.compile(
    rf"<({_DROP_TAGS})\b(?:[^>/]|/(?!>))*(?:/>|>.*?</\1\s*>)", re.S | re.I
)
# Template/table delimiters; tables open/close only at the start of a line.
_BRACE_RE = re.compile(r"\{\{|\}\}|\n[ \t:]*\{\||\n[ \t]*\|\}(?!\})")
_PARAM_RE = re.compile(r"\{\{\{[^{}]*\}\}\}")
_LINK_RE = re.compile(r"\[\[([^\[\]]*)\]\]([^\W\d_]*)")
# Fast paths (no callback) for the common links without a namespace prefix.
# [[target|anchor]] and [[target]] in one pass: the target or anchor holds no ":", "|", "[" or
# "]" (the rest goes through _link). The "[[target]]s" blend keeps its suffix as plain text.
_SIMPLE_LINK_RE = re.compile(r"\[\[(?:[^\[\]|:]*\|)?([^\[\]|:]+)\]\]")
_EXTLINK_RE = re.compile(r"\[(?:https?:|ftp:)?//[^\s\[\]]*\s*([^\[\]]*)\]")
_URL_RE = re.compile(r"(?:https?|ftp)://[^\s<>\[\]|]+")
_QUOTES_RE = re.compile(r"''+")  # not '{2,}: a literal prefix lets the regex skip ahead in C
# The text is scanned with a leading newline, so "\n" stands for the start of a line.
_HEADING_RE = re.compile(r"\n[ \t]*(=+)[ \t]*([^\n]*?)[ \t]*\1[ \t]*(?=\n|$)")
_LIST_RE = re.compile(r"\n[ \t]*(?:[*#:;]+|-{4,})[ \t]*")
_SWITCH_RE = re.compile(r"__[A-Z]+__")
_TAG_RE = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*(?:\s[^<>]*)?/?>")
_SPACES_RE = re.compile(r"[ \t\u00a0\u2009\u202f]+")
_BLANKS_RE = re.compile(r"\s*\n\s*")

# Namespaces whose links are not part of the running text (lower case; English and a few
# localised names seen in the Bulgarian sample dump).
_DROP_NAMESPACES = frozenset(
    """file image media category special template wikipedia wp help portal user talk draft
    module mediawiki book timedtext gadget project user_talk file_talk template_talk
    category_talk image_talk файл картинка изображение категория шаблон уикипедия""".split()
)
# Interwiki prefixes that are shown inline (the anchor is running text).
_INTERWIKI = frozenset(
    """w wikt wiktionary s wikisource q wikiquote b wikibooks n wikinews v wikiversity voy
    wikivoyage species wikispecies commons c meta m mw d wikidata foundation wmf""".split()
)
_LANG_RE = re.compile(r"[a-z]{2,3}(?:-[a-z]{2,8}){0,2}|simple")
_DISAMBIG_RE = re.compile(
    r"\{\{\s*(?:disambiguation|disambig|dab|disamb|hndis|geodis|set index|surname|given name)"
    r"\s*(?:\||\}\})",
    re.I,
)


# A C-level callable: on Python 3.11, re.sub with a "\\1" template calls a Python function per
# match, which made the link substitutions the slowest step of the cleaner.
_group1 = operator.methodcaller("group", 1)


def _strip_braces(text: str) -> str:
    """Drop templates and tables (nested), keeping text outside them."""
    if "{" not in text and "}" not in text:
        return text
    while "{{{" in text:  # template parameters {{{1|default}}} (innermost first)
        new = _PARAM_RE.sub("", text)
        if new == text:
            break
        text = new
    out: list[str] = []
    pos = 0
    while True:
        stack: list[str] = []  # "t" template, "b" table
        keep_from = pos  # start of the text not yet copied (valid while the stack is empty)
        open_end = pos
        for m in _BRACE_RE.finditer(text, pos):
            tok = m.group().lstrip("\n \t:")
            if tok == "{{" or tok == "{|":
                if not stack:
                    out.append(text[keep_from : m.start()])
                    open_end = m.end()
                stack.append("t" if tok == "{{" else "b")
                continue
            kind = "t" if tok == "}}" else "b"
            if kind in stack:  # close it, dropping unmatched inner opens
                while stack.pop() != kind:
                    pass
                if not stack:
                    keep_from = m.end()
            elif not stack:  # stray close: drop just the delimiter
                out.append(text[keep_from : m.start()])
                keep_from = m.end()
        if not stack:
            out.append(text[keep_from:])
            return "".join(out)
        # Unclosed construct: drop only its opening delimiter and rescan after it.
        pos = open_end


def _link(m: re.Match[str]) -> str:
    inner = m.group(1)
    suffix = m.group(2)
    target, bar, anchor = inner.partition("|")
    if ":" in target:
        prefix = target.split(":", 1)[0].strip().lower().replace(" ", "_")
        if target.lstrip().startswith(":"):  # [[:Category:Foo|x]] is a visible link
            target = target.lstrip()[1:]
        elif prefix in _INTERWIKI:
            target = target.split(":", 1)[1]
        elif prefix in _DROP_NAMESPACES or _LANG_RE.fullmatch(prefix):
            return ""
    if bar:
        if not anchor.strip():  # pipe trick: [[Foo (bar)|]] shows "Foo"
            anchor = re.sub(r"\s*\(.*\)$", "", target)
        return anchor + suffix
    return target + suffix


def _links(text: str) -> str:
    # Innermost links first, so [[File:x.jpg|a [[b]] c]] drops the whole file link.
    for _ in range(8):
        if "[[" not in text:
            break
        new = _LINK_RE.sub(_link, text)
        if new == text:
            break
        text = new
    return text


def clean_wikitext(text: str, tidy: bool = True) -> str:
    """Return the plain running text of a page's wikitext (see the module doc for the rules).

    Args:
        text: wikitext with XML entities already resolved (as in ``<text>`` of a dump).
        tidy: collapse runs of spaces and drop blank lines (default ``True``). The corpus
            pipeline passes ``False``: the tokenizer ignores extra whitespace anyway.

    Returns:
        Plain text, one paragraph / heading / list item per line.
    """
    text = "\n" + text
    if "<!--" in text:
        text = _COMMENT_RE.sub("", text)
    if "<" in text:
        text = _DROP_ELEMENT_RE.sub("", text)
    text = _strip_braces(text)
    if "[[" in text:
        text = _SIMPLE_LINK_RE.sub(_group1, text)
        if "[[" in text:
            text = _links(text)
    if "//" in text:
        text = _EXTLINK_RE.sub(_group1, text)
        if "://" in text:  # the URL regex has no literal prefix: it tries every position
            text = _URL_RE.sub("", text)
    if "''" in text:
        text = _QUOTES_RE.sub("", text)
    if "=" in text:
        text = _HEADING_RE.sub(r"\n\2", text)
    text = _LIST_RE.sub("\n", text)
    if "__" in text:
        text = _SWITCH_RE.sub("", text)
    if "<" in text:
        text = _TAG_RE.sub("", text)
    if "&" in text:
        text = html.unescape(text)
    if tidy:
        text = _SPACES_RE.sub(" ", text)
        text = _BLANKS_RE.sub("\n", text)
    return text.strip()


def is_disambiguation(text: str, title: str = "") -> bool:
    """Whether a page is a disambiguation page (by its title or a disambiguation template)."""
    return title.endswith("(disambiguation)") or _DISAMBIG_RE.search(text) is not None
