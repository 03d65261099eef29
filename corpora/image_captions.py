"""Image captions of a page's wikitext: the text that the cleaner drops with file links and
galleries, kept apart as a text of its own (a caption describes what a picture shows).

Two sources, in page order:

* **Framed file links** ``[[File:Horse.jpg|thumb|upright=1.2|alt=A horse|A [[horse]] in a
  field]]``: a link into the file namespace (namespace 6 under any name the wiki declares,
  ``[[Datei:...]]``, ``[[Bild:...]]``, plus the canonical ``File:``/``Image:``; a link whose
  target is a media file, ``[[Foto:x.jpg|...]]``, under a prefix the wiki does not declare)
  with a ``thumb``/``thumbnail``/``frame``/``framed`` option (or ``thumb=``/``thumbnail=``,
  or a localized alias in :data:`FRAMED_OPTIONS`): MediaWiki shows a caption under those
  only. The caption is the last parameter that is not an image option (:data:`IMAGE_OPTIONS`,
  sizes ``220px``/``x100px``/``100x80px``, named options ``alt=``, ``link=``, ``upright=``,
  ... in :data:`NAMED_OPTIONS`). Parameters are split at the ``|`` outside nested links
  and templates, so ``[[horse|horses]]`` inside a caption stays in it. A ``[[:File:x.jpg]]``
  (a link to the file page) and ``[[Media:x.jpg]]`` show no picture and have no caption.
* **Gallery lines** inside ``<gallery ...>...</gallery>``: ``File:Cat.jpg|alt=x|A cat`` (the
  namespace prefix is optional in a gallery); the caption is the last unnamed parameter after
  the file name.

Each caption is then cleaned like running text (:func:`~corpora.wikitext_cleaner.
clean_wikitext`: nested links keep their anchor, templates, references and quotes are
dropped). Not covered: captions given as template parameters (``{{Infobox|caption=...}}``,
``{{Multiple image|caption1=...}}``), ``<imagemap>`` and ``<figure>`` markup.

A file link is searched for its closing ``]]`` over at most :data:`MAX_LINK_CHARS`
characters (an unclosed link has no caption), so the work is linear in the page size.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from corpora.namespace_table import DEFAULT_NAMESPACES, NamespaceTable, normalize_namespace_name
from corpora.wikitext_cleaner import (
    _COMMENT_RE,
    _INTERWIKI,
    _LANG_RE,
    _MEDIA_FILE_RE,
    clean_wikitext,
)

__all__ = [
    "FILE_NAMESPACE",
    "FRAMED_OPTIONS",
    "IMAGE_OPTIONS",
    "MAX_LINK_CHARS",
    "NAMED_OPTIONS",
    "image_captions",
]

#: The file namespace's number.
FILE_NAMESPACE = 6
#: Options under which MediaWiki shows a caption (English and common localized aliases:
#: de mini/miniatur/gerahmt/rahmen, fr vignette/cadre/encadré, es/it/pt miniatura/marco/
#: riquadro, nl miniatuur/kader, sv miniatyr/ram, pl mały/ramka, ru мини/миниатюра/обрамить).
FRAMED_OPTIONS = frozenset(
    """thumb thumbnail frame framed mini miniatur gerahmt rahmen vignette cadre encadré
    miniatura marco riquadro miniatuur kader miniatyr ram mały ramka мини миниатюра обрамить
    """.split()
)
#: Keyword options that are never the caption (placement, alignment, border, ...).
IMAGE_OPTIONS = FRAMED_OPTIONS | frozenset(
    """frameless border left right center centre none upright baseline middle sub super
    text-top text-bottom top bottom links rechts zentriert ohne hochkant rand gauche droite
    centré néant redresse izquierda derecha centro ninguno sinistra destra nessuno""".split()
)
#: ``name=value`` options that are never the caption.
NAMED_OPTIONS = frozenset(
    """alt link page upright class lang thumb thumbnail frame framed start end thumbtime loop
    muted border mini miniatur hochkant verweis seite""".split()
)
#: Characters searched for the closing ``]]`` of a file link.
MAX_LINK_CHARS = 10_000

_SIZE_RE = re.compile(r"\d*\s*(?:x\s*\d+\s*)?px", re.I)
_NAMED_RE = re.compile(r"\s*([^\W\d][\w-]*)\s*=", re.U)
# The start of a link with a prefix: "[[Datei:" (a leading ":" makes it a visible link).
_PREFIXED_LINK_RE = re.compile(r"\[\[([^\[\]|:\n]*):")
_BRACKETS_RE = re.compile(r"\[\[|\]\]")
_TARGET_RE = re.compile(r"[^\[\]|\n]*")
_SPLIT_RE = re.compile(r"\[\[|\]\]|\{\{|\}\}|\|")
_GALLERY_RE = re.compile(r"<gallery\b[^>]*>(.*?)</gallery\s*>", re.I | re.S)


def image_captions(text: str, namespaces: NamespaceTable | None = None) -> list[str]:
    """The cleaned captions of the framed file links and gallery lines of ``text``.

    Args:
        text: a page's wikitext, XML entities resolved (as :func:`~corpora.clean_wikitext`
            takes it).
        namespaces: the wiki's namespace names (default: MediaWiki's canonical English
            names, :data:`~corpora.namespace_table.DEFAULT_NAMESPACES`).

    Returns:
        One plain-text caption per captioned picture, in page order (empty captions left out).
    """
    if "[[" not in text and "<gallery" not in text.lower():
        return []
    names = (namespaces or DEFAULT_NAMESPACES).names
    if "<!--" in text:
        text = _COMMENT_RE.sub("", text)
    found: list[tuple[int, str]] = []
    for start, inner in _file_links(text, names):
        caption = _link_caption(inner)
        if caption is not None:
            found.append((start, caption))
    for m in _GALLERY_RE.finditer(text):
        pos = m.start(1)
        for line in m.group(1).split("\n"):
            caption = _gallery_caption(line)
            if caption is not None:
                found.append((pos, caption))
            pos += len(line) + 1
    found.sort(key=lambda item: item[0])
    out = []
    for _, raw in found:
        cleaned = " ".join(clean_wikitext(raw, namespaces=namespaces).split())
        if cleaned:
            out.append(cleaned)
    return out


def _file_links(text: str, names: dict[str, int]) -> Iterator[tuple[int, str]]:
    """``(start, inner text)`` of each file link (the outermost ones; nested file links in a
    caption are part of it)."""
    pos = 0
    while True:
        m = _PREFIXED_LINK_RE.search(text, pos)
        if m is None:
            return
        pos = m.end()
        prefix = m.group(1)
        if not prefix.strip():  # [[:File:x.jpg]] links to the file page
            continue
        norm = normalize_namespace_name(prefix)
        key = names.get(norm)
        if key is None and (norm in _INTERWIKI or _LANG_RE.fullmatch(norm)):
            continue  # [[commons:File:x.jpg]], [[de:Bild:x.jpg]]: links to another wiki
        if key is None:  # a media file under a prefix the wiki does not declare?
            target = _TARGET_RE.match(text, pos)
            if target is None or not _MEDIA_FILE_RE.search(target.group()):
                continue
        elif key != FILE_NAMESPACE:
            continue
        end = _closing(text, m.start() + 2)
        if end < 0:
            continue
        inner = text[m.start() + 2 : end]
        yield m.start(), inner
        pos = end + 2


def _closing(text: str, pos: int) -> int:
    """Index of the ``]]`` closing a link opened just before ``pos``, or -1."""
    depth = 1
    limit = min(len(text), pos + MAX_LINK_CHARS)
    for m in _BRACKETS_RE.finditer(text, pos, limit):
        depth += 1 if m.group() == "[[" else -1
        if depth == 0:
            return m.start()
    return -1


def _split_params(inner: str) -> list[str]:
    """``inner`` split at the ``|`` outside nested links and templates."""
    parts: list[str] = []
    depth = 0
    last = 0
    for m in _SPLIT_RE.finditer(inner):
        tok = m.group()
        if tok == "|":
            if depth == 0:
                parts.append(inner[last : m.start()])
                last = m.end()
        elif tok in ("[[", "{{"):
            depth += 1
        elif depth:
            depth -= 1
    parts.append(inner[last:])
    return parts


def _is_option(param: str) -> bool:
    p = param.strip().lower()
    if p in IMAGE_OPTIONS or _SIZE_RE.fullmatch(p):
        return True
    named = _NAMED_RE.match(p)
    return named is not None and named.group(1) in NAMED_OPTIONS


def _last_caption(params: list[str]) -> str | None:
    for param in reversed(params):
        if not _is_option(param):
            return param if param.strip() else None
    return None


def _link_caption(inner: str) -> str | None:
    params = _split_params(inner)[1:]
    framed = False
    for param in params:
        p = param.strip().lower()
        named = _NAMED_RE.match(p)
        if p in FRAMED_OPTIONS or (named is not None and named.group(1) in FRAMED_OPTIONS):
            framed = True
            break
    return _last_caption(params) if framed else None


def _gallery_caption(line: str) -> str | None:
    if "|" not in line:
        return None
    return _last_caption(_split_params(line.strip())[1:])
