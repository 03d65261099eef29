import pytest

from corpora import clean_wikitext, is_disambiguation

CASES = [
    # (rule, wikitext, expected)
    ("comment", "a <!-- hidden [[x]] --> b", "a b"),
    ("unclosed comment", "a <!-- rest", "a"),
    ("ref pair", "Cats.<ref name=a>{{cite|x}} text</ref> Dogs.", "Cats. Dogs."),
    ("self-closing ref", 'Cats.<ref name="a" /> Dogs.', "Cats. Dogs."),
    ("math", "Area <math>\\pi r^2</math> of a disk.", "Area of a disk."),
    ("gallery", "x <gallery>\nFile:a.jpg|cap\n</gallery> y", "x y"),
    ("template", "a {{citation needed|date=2020}} b", "a b"),
    ("nested template", "a {{Infobox|x={{y|{{z}}}}|w=[[v]]}} b", "a b"),
    ("template parameter", "a {{{1|default}}} b", "a b"),
    ("stray close", "a }} b", "a b"),
    ("unclosed template", "a {{b c", "a b c"),
    ("table", "before\n{| class=wikitable\n|-\n| cell || {{x}}\n|}\nafter", "before\nafter"),
    ("nested table", "a\n{|\n| x\n{|\n| y\n|}\n|}\nb", "a\nb"),
    ("template with |} inside", "a {{x|}} b", "a b"),
    ("link", "a [[cat]] b", "a cat b"),
    ("piped link", "a [[Felidae|feline]] b", "a feline b"),
    ("link blend", "many [[cat]]s here", "many cats here"),
    ("pipe trick", "[[Seal (animal)|]] swims", "Seal swims"),
    ("file with nested link", "x [[File:Cat.jpg|thumb|A [[cat]] sits]] y", "x y"),
    ("image", "x [[Image:a.png|left]] y", "x y"),
    ("category", "x\n[[Category:Cats]]", "x"),
    ("visible category link", "see [[:Category:Cats|cat pages]]", "see cat pages"),
    ("interlanguage", "x [[de:Katze]] [[zh-min-nan:Niau]] y", "x y"),
    ("interwiki keeps anchor", "a [[wikt:feline|feline]] b", "a feline b"),
    ("colon in title", "[[Star Wars: Episode IV|the film]]", "the film"),
    ("external link label", "see [http://x.org/a the site] now", "see the site now"),
    ("external link no label", "see [http://x.org/a] now", "see now"),
    ("bare url", "at http://x.org/a?b=1 now", "at now"),
    ("bold italic", "'''''both''''' '''bold''' ''it'' isn't", "both bold it isn't"),
    ("heading", "intro\n== History ==\ntext", "intro\nHistory\ntext"),
    ("list markers", "* one\n# two\n: three\n----\nfour", "one\ntwo\nthree\nfour"),
    ("behaviour switch", "__NOTOC__a", "a"),
    ("html tags", "x<sup>2</sup> and <span style='a'>y</span><br/>z", "x2 and y\nz"),
    ("entities", "a&nbsp;b &ndash; c &amp; d &#8212; e", "a b – c & d — e"),
    ("escaped markup stays text", "1 &lt; 2", "1 < 2"),
]


@pytest.mark.parametrize("rule,text,expected", CASES, ids=[c[0] for c in CASES])
def test_rule(rule: str, text: str, expected: str) -> None:
    assert clean_wikitext(text) == expected


def test_combined_micro_page() -> None:
    text = (
        "{{Infobox animal|name=Cat|image=[[File:Cat.jpg]]}}\n"
        "'''Cat''' is a [[Felidae|feline]] animal.<ref>x</ref> It has [[tail]]s.\n"
        "{| class=wikitable\n| a\n|}\n"
        "== Food ==\n* [[Fish]] &amp; [[mouse|mice]]\n[[Category:Cats]]\n[[fr:Chat]]"
    )
    assert clean_wikitext(text) == "Cat is a feline animal. It has tails.\nFood\nFish & mice"


def test_untidy_keeps_text() -> None:
    assert clean_wikitext("a  [[b]]\n\n c", tidy=False).split() == ["a", "b", "c"]


def test_disambiguation() -> None:
    assert is_disambiguation("x\n{{disambiguation}}", "Seal")
    assert is_disambiguation("{{Disambig|geo}}", "Seal")
    assert is_disambiguation("", "Seal (disambiguation)")
    assert not is_disambiguation("{{Disambiguation needed}} text", "Seal")


def test_simple_link_fast_path_equals_general_rule() -> None:
    """The one-pass regex for [[a|b]] / [[a]] gives what the general _link rule gives."""
    from functools import partial

    from corpora.namespace_table import DEFAULT_NAMESPACES
    from corpora.wikitext_cleaner import _LINK_RE, _SIMPLE_LINK_RE, _group1
    from corpora.wikitext_cleaner import _link as link

    _link = partial(link, names=DEFAULT_NAMESPACES.names)

    cases = [
        "[[Cat|cats]] and [[Dog]]s",
        "[[a|b|c]] x",
        "[[Category:Foo|x]] [[de:Hund]] [[wikt:foo|bar]]",
        "[[[[inner|in]]]] [[ spaced | anchor ]]",
        "[[Foo (bar)|]] [[|x]] [[x|]]",
        "[[A]]'s [[B]]1 [[C]]ñandú",
    ]
    for text in cases:
        fast = _SIMPLE_LINK_RE.sub(_group1, text)
        for _ in range(3):
            fast = _LINK_RE.sub(_link, fast)
        slow = text
        for _ in range(3):
            slow = _LINK_RE.sub(_link, slow)
        assert fast == slow, text
    assert _SIMPLE_LINK_RE.sub(_group1, "[[Cat|cats]] [[Dog]]s") == "cats Dogs"
