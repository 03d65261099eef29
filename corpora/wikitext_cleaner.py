"""Wikitext to plain text with compiled regexes and small linear scanners.

Rules, in the order they are applied (each has a micro-dump test in
``tests/corpora/test_wikitext_cleaner.py``):

1. ``<!-- comments -->`` are dropped (an unclosed comment drops the rest of the page, as
   MediaWiki does).
2. ``<ref>...</ref>``, ``<ref name=x/>`` and the content of ``<math>``, ``<chem>``,
   ``<gallery>``, ``<timeline>``, ``<syntaxhighlight>``, ``<source>``, ``<score>``,
   ``<graph>``, ``<mapframe>``, ``<imagemap>``, ``<templatedata>``, ``<includeonly>`` are
   dropped. An opening tag without its closing tag is dropped on its own.
3. Templates ``{{...}}`` (nested to any depth, also ``{{{parameters}}}``) and tables
   ``{| ... |}`` (which start and end at the beginning of a line, nested) are dropped. An
   unmatched ``{{``, ``}}``, ``{|`` or ``|}`` is dropped on its own and the text around it kept.
4. Links ``[[target|anchor]]`` keep the anchor (``[[target]]`` keeps the target, the
   ``[[target]]s`` blend keeps the suffix). Links into a namespace other than the articles
   (files/images with their options and captions, nested links included; categories with
   their sort keys; templates, ...) and interlanguage links (``[[de:Foo]]``) are dropped;
   ``[[:Category:Foo|x]]`` and interwiki links (``[[wikt:foo|foo]]``) keep their anchor. The
   namespace names are the wiki's own (:class:`~corpora.namespace_table.NamespaceTable`, read
   from the dump: ``[[Datei:...]]``, ``[[Kategorie:...]]``); a link whose target is a media
   file (``[[Bild:Pferd.jpg|mini|...]]``) is a file link under any prefix, which covers the
   aliases that a dump does not declare.
5. External links ``[http://x y z]`` keep the label ``y z``; unlabelled ones and bare URLs
   are dropped.
6. Bold/italic quotes (``''``, ``'''``, ``'''''``) are dropped, single apostrophes kept.
7. Headings ``== Title ==`` keep their text on a line of their own; list and indent markers
   (``*#:;``) at the start of a line and horizontal rules are dropped; behaviour switches
   (``__TOC__``, localized ones such as ``__KEIN_INHALTSVERZEICHNIS__``) are dropped.
8. Remaining HTML tags are dropped as MediaWiki renders them: line breaks and block-level
   tags (``<br>``, ``<p>``, ``<div>``, list, table, heading and ``<blockquote>`` tags) end the
   line (``Horse<br>Sheep`` is two words on two lines), inline tags (``<small>``,
   ``<span style=...>``, ``<sup>``, ``<nowiki/>``) are dropped without a space, their content
   kept; HTML entities (``&nbsp;``, ``&ndash;``, ``&#8212;``) are resolved.
9. Runs of spaces are collapsed; lines are kept (a newline is a sentence boundary).

Every step takes time linear in the page size, whatever the markup: unclosed or badly
nested templates, links, tags and tables included (``bench/cleaner_scaling.py``).

:func:`clean_extracted_text` is the cleaning of text that another extractor already made
plain (WikiExtractor output, plain text): the tags it left (``<br>``, ``</dl>``,
``<onlyinclude>``), WikiExtractor's ``formula_7``/``codice_3`` placeholders and HTML entities
are not words.
"""

from __future__ import annotations

import html
import html.entities
import operator
import re
from functools import partial

from corpora import _speedups
from corpora.namespace_table import DEFAULT_NAMESPACES, NamespaceTable, normalize_namespace_name

__all__ = ["clean_extracted_text", "clean_wikitext", "is_disambiguation"]

_COMMENT_RE = re.compile(r"<!--.*?(?:-->|\Z)", re.S)
_DROP_TAGS = (
    "ref|math|chem|ce|gallery|timeline|syntaxhighlight|source|score|graph|mapframe|"
    "imagemap|templatedata|references|hiero|inputbox|categorytree|maplink|includeonly"
)
# The opening tag of an element that is dropped with its content. Its attributes hold no "<"
# (so a tag without ">" is given up at the next "<": linear).
_DROP_OPEN_RE = re.compile(rf"<({_DROP_TAGS})\b(?:[^<>/]|/(?!>))*(/?)>", re.I)
_CLOSE_RES: dict[str, re.Pattern[str]] = {}
# Template/table delimiters; tables open/close only at the start of a line.
_BRACE_RE = re.compile(r"\{\{|\}\}|\n[ \t:]*\{\||\n[ \t]*\|\}(?!\})")
_PARAM_RE = re.compile(r"\{\{\{[^{}]*\}\}\}")
_MAX_PARAM_DEPTH = 8
_LINK_RE = re.compile(r"\[\[([^\[\]]*)\]\]([^\W\d_]*)")
_MAX_LINK_DEPTH = 8
# Fast paths (no callback) for the common links without a namespace prefix.
# [[target|anchor]] and [[target]] in one pass: the target or anchor holds no ":", "|", "[" or
# "]" (the rest goes through _link). The "[[target]]s" blend keeps its suffix as plain text.
_SIMPLE_LINK_RE = re.compile(r"\[\[(?:[^\[\]|:]*\|)?([^\[\]|:]+)\]\]")
# The label (group 1, absent without one) follows the URL after whitespace and starts with
# a non-space: a URL character is never tried as a label character too, which would be a
# quadratic backtrack on "[//aaaa..." without "]".
_EXTLINK_RE = re.compile(r"\[(?:https?:|ftp:)?//[^\s\[\]]*(?:\s+([^\s\[\]][^\[\]]*))?\s*\]")
_URL_RE = re.compile(r"(?:https?|ftp)://[^\s<>\[\]|]+")
_QUOTES_RE = re.compile(r"''+")  # not '{2,}: a literal prefix lets the regex skip ahead in C
# The text is scanned with a leading newline, so "\n" stands for the start of a line.
_HEADING_RE = re.compile(r"\n[ \t]*=[^\n]*")
_LIST_RE = re.compile(r"\n[ \t]*(?:[*#:;]+|-{4,})[ \t]*")
_SWITCH_RE = re.compile(r"__([^\W_]+(?:_[^\W_]+)*)__")
# Tags that MediaWiki renders as a line break or a block of their own (and the ruby
# annotations rt/rp, which stand apart from their base text).
_BLOCK_TAGS = frozenset(
    """br p div hr li ul ol dl dt dd table caption thead tbody tfoot tr td th h1 h2 h3 h4 h5
    h6 blockquote center pre poem section article aside figure figcaption nav header footer
    main details summary address rt rp""".split()
)
_TAG_RE = re.compile(r"</?([a-zA-Z][a-zA-Z0-9]*)(?:\s[^<>]*)?/?>")
_SPACES_RE = re.compile(r"[^\S\n]+")
_BLANKS_RE = re.compile(r" ?\n[\n ]*")
# WikiExtractor's placeholders for <math> and <code> content (no leading \b: the literal
# start lets the regex engine skip ahead in C).
_PLACEHOLDER_RE = re.compile(r"(?:formula|codice)_\d+\b")

# Interwiki prefixes that are shown inline (the anchor is running text).
_INTERWIKI = frozenset(
    """w wikt wiktionary s wikisource q wikiquote b wikibooks n wikinews v wikiversity voy
    wikivoyage species wikispecies commons c meta m mw d wikidata foundation wmf""".split()
)
_LANG_RE = re.compile(r"[a-z]{2,3}(?:-[a-z]{2,8}){0,2}|simple")
# A link target that is a media file: [[Bild:x.jpg|...]] is a file link whatever the prefix.
_MEDIA_FILE_RE = re.compile(
    r"\.(?:jpe?g|png|gif|svg|tiff?|webp|bmp|xcf|pdf|djvu|ogg|ogv|oga|opus|webm|mp3|mp4|wav|"
    r"flac|midi?|stl)\s*$",
    re.I,
)
_DISAMBIG_RE = re.compile(
    r"\{\{\s*(?:disambiguation|disambig|dab|disamb|hndis|geodis|set index|surname|given name)"
    r"\s*(?:\||\}\})",
    re.I,
)


# A C-level callable: on Python 3.11, re.sub with a "\\1" template calls a Python function per
# match, which made the link substitutions the slowest step of the cleaner.
_group1 = operator.methodcaller("group", 1)


def _extlink_label(m: re.Match[str]) -> str:
    return m.group(1) or ""


def _close_re(name: str) -> re.Pattern[str]:
    rx = _CLOSE_RES.get(name)
    if rx is None:
        rx = _CLOSE_RES[name] = re.compile(rf"</{name}\s*>", re.I)
    return rx


def _drop_elements(text: str) -> str:
    """Drop ``<ref>...</ref>``-like elements (rule 2) in one pass: once a tag name has no
    closing tag after some point, no later opening tag of it is searched again."""
    m = _DROP_OPEN_RE.search(text)
    if m is None:
        return text
    out: list[str] = []
    pos = 0
    unclosed: set[str] = set()
    while m is not None:
        out.append(text[pos : m.start()])
        pos = m.end()
        if not m.group(2):  # not self-closing: drop up to the closing tag
            name = m.group(1).lower()
            if name not in unclosed:
                close = _close_re(name).search(text, pos)
                if close is None:
                    unclosed.add(name)  # drop the opening tag alone
                else:
                    pos = close.end()
        m = _DROP_OPEN_RE.search(text, pos)
    out.append(text[pos:])
    return "".join(out)


def _strip_params(text: str) -> str:
    """Drop template parameters ``{{{1|default}}}``, innermost first (a few levels)."""
    for _ in range(_MAX_PARAM_DEPTH):
        if "{{{" not in text:
            break
        new = _PARAM_RE.sub("", text)
        if new == text:
            break
        text = new
    return text


def _strip_braces(text: str) -> str:
    """Drop templates and tables (nested), keeping text outside them.

    One pass over the delimiters with a stack: a close pops up to the nearest open of its
    kind (dropping unmatched opens of the other kind inside it), a close with no open of its
    kind is dropped on its own, and so is every open still unclosed at the end (the text
    after it is kept). Counts of each kind on the stack keep every step O(1) amortized.
    """
    if "{" not in text and "}" not in text:
        return text
    text = _strip_params(text)
    drops: list[tuple[int, int]] = []  # spans and lone delimiters to drop
    stack: list[tuple[bool, int, int]] = []  # (is template, start, end of the open)
    open_count = {True: 0, False: 0}
    for m in _BRACE_RE.finditer(text):
        tok = m.group()[-2:]
        if tok == "{{" or tok == "{|":
            kind = tok == "{{"
            stack.append((kind, m.start(), m.end()))
            open_count[kind] += 1
            continue
        kind = tok == "}}"
        if not open_count[kind]:  # stray close: drop just the delimiter
            drops.append((m.start(), m.end()))
            continue
        while True:  # close it, dropping unmatched inner opens of the other kind
            k, start, _ = stack.pop()
            open_count[k] -= 1
            if k == kind:
                break
        drops.append((start, m.end()))
    for _, start, end in stack:  # unclosed: drop only the opening delimiter
        drops.append((start, end))
    if not drops:
        return text
    drops.sort()
    out: list[str] = []
    pos = 0
    for start, end in drops:
        if start > pos:
            out.append(text[pos:start])
        if end > pos:
            pos = end
    out.append(text[pos:])
    return "".join(out)


def _link(m: re.Match[str], names: dict[str, int]) -> str:
    inner = m.group(1)
    suffix = m.group(2)
    target, bar, anchor = inner.partition("|")
    if ":" in target:
        stripped = target.lstrip()
        if stripped.startswith(":"):  # [[:Category:Foo|x]] is a visible link
            target = stripped[1:]
        else:
            prefix, _, rest = target.partition(":")
            prefix = " ".join(prefix.replace("_", " ").split()).lower()
            if prefix in _INTERWIKI:
                target = rest
            elif names.get(prefix) or _LANG_RE.fullmatch(prefix):
                return ""  # another namespace (not 0), or an interlanguage link
            elif _MEDIA_FILE_RE.search(rest):
                return ""  # a file link under a prefix the dump does not declare
    if bar:
        if not anchor.strip():  # pipe trick: [[Foo (bar)|]] shows "Foo"
            i = target.find("(")
            if i >= 0 and target.endswith(")") and "\n" not in target[i:]:
                target = target[:i].rstrip()
            anchor = target
        return anchor + suffix
    return target + suffix


def _links(text: str, names: dict[str, int]) -> str:
    # Innermost links first, so [[File:x.jpg|a [[b]] c]] drops the whole file link.
    sub = partial(_link, names=names)
    for _ in range(_MAX_LINK_DEPTH):
        if "[[" not in text:
            break
        new = _LINK_RE.sub(sub, text)
        if new == text:
            break
        text = new
    return text


def _heading(m: re.Match[str]) -> str:
    """``== Title ==`` -> ``Title`` (the level is the shorter run of ``=`` at either end)."""
    line = m.group()[1:].strip(" \t")
    lead = len(line) - len(line.lstrip("="))
    if lead == len(line):  # only "=" signs
        return "\n"
    level = min(lead, len(line) - len(line.rstrip("=")))
    if not level:
        return m.group()
    return "\n" + line[level:-level].strip(" \t")


def _tag(m: re.Match[str]) -> str:
    """A tag -> a line break for block-level tags, nothing for inline ones."""
    return "\n" if m.group(1).lower() in _BLOCK_TAGS else ""


def _switch(m: re.Match[str]) -> str:
    """``__NOTOC__``, ``__KEIN_INHALTSVERZEICHNIS__`` -> ``""``; ``__init__`` stays."""
    name = m.group(1)
    return "" if name == name.upper() else m.group()


def clean_wikitext(text: str, tidy: bool = True, namespaces: NamespaceTable | None = None) -> str:
    """Return the plain running text of a page's wikitext (see the module doc for the rules).

    Args:
        text: wikitext with XML entities already resolved (as in ``<text>`` of a dump).
        tidy: collapse runs of spaces and drop blank lines (default ``True``). The corpus
            pipeline passes ``False``: the tokenizer ignores extra whitespace anyway.
        namespaces: the wiki's namespace names (default: MediaWiki's canonical English
            names, :data:`~corpora.namespace_table.DEFAULT_NAMESPACES`).

    Returns:
        Plain text, one paragraph / heading / list item per line.

    Runs the compiled twin of this function when it is built (``corpora._speedups``: same
    output); :func:`_clean_wikitext_python` is the reference.
    """
    fast = _speedups.active
    if fast is not None:
        names = (namespaces or DEFAULT_NAMESPACES).names
        out = fast.clean_wikitext(text, names, False, not tidy)
        if out is not None:
            if tidy:
                out = _BLANKS_RE.sub("\n", _SPACES_RE.sub(" ", out)).strip()
            return out
    return _clean_wikitext_python(text, tidy, namespaces)


def _clean_wikitext_python(
    text: str, tidy: bool = True, namespaces: NamespaceTable | None = None
) -> str:
    """:func:`clean_wikitext` in pure Python (the reference for the compiled code)."""
    text = "\n" + text
    if "<!--" in text:
        text = _COMMENT_RE.sub("", text)
    if "<" in text:
        text = _drop_elements(text)
    text = _strip_braces(text)
    if "[[" in text:
        text = _SIMPLE_LINK_RE.sub(_group1, text)
        if "[[" in text:
            text = _links(text, (namespaces or DEFAULT_NAMESPACES).names)
    if "//" in text:
        text = _EXTLINK_RE.sub(_extlink_label, text)
        if "://" in text:  # the URL regex has no literal prefix: it tries every position
            text = _URL_RE.sub("", text)
    if "''" in text:
        text = _QUOTES_RE.sub("", text)
    if "=" in text:
        text = _HEADING_RE.sub(_heading, text)
    text = _LIST_RE.sub("\n", text)
    if "__" in text:
        text = _SWITCH_RE.sub(_switch, text)
    if "<" in text:
        text = _TAG_RE.sub(_tag, text)
    if "&" in text:
        text = html.unescape(text)
    if tidy:
        text = _SPACES_RE.sub(" ", text)
        text = _BLANKS_RE.sub("\n", text)
    return text.strip()


def clean_extracted_text(text: str) -> str:
    """Drop what other extractors leave in their plain text (WikiExtractor output, text files).

    Tags separate words as in :func:`clean_wikitext` (``a<br>b`` -> two lines; ``</dl>``,
    ``<onlyinclude>`` are dropped), WikiExtractor's ``formula_N``/``codice_N`` placeholders
    (for ``<math>`` and ``<code>`` content, which :func:`clean_wikitext` drops) are dropped,
    HTML entities are resolved. Text without ``<``, placeholders and ``&`` is returned as it is.
    """
    if "<" in text:
        text = _TAG_RE.sub(_tag, text)
    if "formula_" in text or "codice_" in text:
        text = _PLACEHOLDER_RE.sub("", text)
    if "&" in text:
        text = html.unescape(text)
    return text


def is_disambiguation(text: str, title: str = "") -> bool:
    """Whether a page is a disambiguation page (by its title or a disambiguation template)."""
    return title.endswith("(disambiguation)") or _DISAMBIG_RE.search(text) is not None


def _configure_compiled() -> None:
    """Hand this module's tables to the compiled cleaner (when it is built)."""
    ctext = _speedups.compiled()
    if ctext is not None:
        ctext.configure_cleaner(
            interwiki=frozenset(_INTERWIKI),
            normalize_namespace=normalize_namespace_name,
            html5=html.entities.html5,
            invalid_charrefs=html._invalid_charrefs,
            invalid_codepoints=frozenset(html._invalid_codepoints),
        )


_configure_compiled()
