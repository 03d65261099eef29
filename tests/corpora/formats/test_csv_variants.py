"""Every CSV reader of the package accepts what common tools write (issue #14, kind 5).

Each reader reads one small file written in every variant below and must give the result of
the plain variant: encodings (BOM, UTF-16 as Excel's "Unicode text"), line ends, quoting,
spreadsheet padding and trailing delimiters, Excel's ``sep=`` line, ``;`` with decimal
commas, surrounding whitespace, blank lines, and two spreadsheet exports built the way
Excel and LibreOffice write them. Where the variant is decided (``corpora.formats._csv``):
the encoding from the BOM, ``sep=`` and the delimiter from the first line(s), everything
else while reading rows.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from corpora.errors import CorruptInputError, InputError
from corpora.formats import _csv
from corpora.formats.annotation_sets import read_annotation_sets
from corpora.formats.bounding_boxes import BOX_COLUMNS, read_bounding_boxes
from corpora.formats.class_descriptions import read_label_names
from corpora.formats.classes_trainable import read_classes_trainable
from corpora.formats.image_labels import read_human_labels
from corpora.formats.label_sets import read_solution, read_tuning_labels
from corpora.formats.pair_counts import read_pair_counts
from labelgraph.evaluation._readers import read_label_sets as read_evaluation_label_sets


@dataclass
class Table:
    """A file's content: header (None: the format has none), rows, numeric columns."""

    header: list[str] | None
    rows: list[list[str]]
    numbers: tuple[int, ...] = ()


def _frame(df: Any) -> Any:
    """A DataFrame as plain lists (dtypes aside)."""
    return {
        c: [x if not isinstance(x, float) else round(x, 12) for x in df[c].tolist()] for c in df
    }


@dataclass
class Reader:
    read: Callable[[Path], Any]
    table: Table


BOX_HEADER = list(BOX_COLUMNS)

READERS = {
    "human_labels": Reader(
        lambda p: _frame(read_human_labels(p)),
        Table(
            ["ImageID", "Source", "LabelName", "Confidence"],
            [
                ["img1", 'crowd, "verified"', "/m/a", "1"],
                ["img1", "verification", "/m/b", "0.25"],
                ["img2", "verification", "/m/a", "0"],
            ],
            numbers=(3,),
        ),
    ),
    "bounding_boxes": Reader(
        lambda p: _frame(read_bounding_boxes(p)),
        Table(
            BOX_HEADER,
            [
                [
                    "img1",
                    "xclick",
                    "/m/a",
                    "1",
                    "0.1",
                    "0.5",
                    "0.25",
                    "0.75",
                    "0",
                    "1",
                    "0",
                    "0",
                    "-1",
                ],
                ["img2", "activemil", "/m/b", "0.5", "0", "1", "0", "1", "1", "0", "0", "1", "0"],
            ],
            numbers=(3, 4, 5, 6, 7),
        ),
    ),  # fmt: skip
    "tuning_labels": Reader(
        read_tuning_labels, Table(None, [["img1", "/m/a /m/b"], ["img2", ""], ["img3", "/m/c"]])
    ),
    "solution_with_usage": Reader(
        read_solution,
        Table(
            ["image_id", "labels", "Usage"],
            [["img1", "/m/a /m/b", "Public"], ["img2", "", "Private"]],
        ),
    ),
    "class_descriptions": Reader(
        read_label_names,
        Table(None, [["/m/a", 'Seal, "grey"'], ["/m/b", "Person"], ["/m/c", "Café au lait"]]),
    ),
    "class_descriptions_header": Reader(
        read_label_names,
        Table(["label_code", "description"], [["/m/a", "Seal, grey"], ["/m/b", "Person"]]),
    ),
    "classes_trainable": Reader(
        read_classes_trainable, Table(["label_code"], [["/m/a"], ["/m/b"], ["/m/c"]])
    ),
    "pair_counts": Reader(
        read_pair_counts,
        Table(["label_a", "label_b", "images"], [["dog", "cat", "3"], ["cat", "person", "5"]]),
    ),
    "annotation_sets_image_labels": Reader(
        read_annotation_sets,
        Table(
            ["ImageID", "Source", "LabelName", "Confidence"],
            [["i1", "v", "/m/a", "1"], ["i1", "v", "/m/b", "0"], ["i2", "m", "/m/c", "0.6"]],
            numbers=(3,),
        ),
    ),
    "evaluation_label_sets": Reader(
        read_evaluation_label_sets,
        Table(["image_id", "labels"], [["i1", "/m/a /m/b"], ["i2", "/m/c"]]),
    ),
}


# ---------------------------------------------------------------------- the writers of variants
def _render(
    table: Table,
    *,
    delimiter: str = ",",
    newline: str = "\n",
    quote_all: bool = False,
    decimal_comma: bool = False,
    pad: int = 0,
    trailing: bool = False,
    spaces: bool = False,
    blank_lines: bool = False,
    sep_line: bool = False,
) -> str:
    out = io.StringIO()
    writer = csv.writer(
        out,
        delimiter=delimiter,
        lineterminator=newline,
        quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL,
    )
    if sep_line:
        out.write(f"sep={delimiter}{newline}")
    width = len(table.header or table.rows[0])
    if blank_lines:
        out.write(newline + "   " + newline)
    if table.header is not None:
        writer.writerow(table.header + [""] * pad)
    for i, row in enumerate(table.rows):
        row = [
            v.replace(".", ",") if decimal_comma and j in table.numbers else v
            for j, v in enumerate(row)
        ]
        row = row + [""] * pad + ([""] if trailing else [])
        if spaces:
            line = io.StringIO()
            csv.writer(line, delimiter=delimiter, lineterminator="").writerow(row)
            fields = next(csv.reader([line.getvalue()], delimiter=delimiter))
            text = delimiter.join(
                f" {f} " if delimiter not in f and '"' not in f and f else _quote(f, delimiter)
                for f in fields
            )
            out.write(text + newline)
        else:
            writer.writerow(row)
        if blank_lines and i == 0:
            out.write(newline + delimiter * (width - 1) + newline + " \t " + newline)
    return out.getvalue()


def _quote(field: str, delimiter: str) -> str:
    if not field or (delimiter not in field and '"' not in field):
        return field
    return '"' + field.replace('"', '""') + '"'


VARIANTS: dict[str, Callable[[Table], bytes]] = {
    "plain": lambda t: _render(t).encode(),
    "utf8_bom": lambda t: ("\ufeff" + _render(t)).encode(),
    "crlf": lambda t: _render(t, newline="\r\n").encode(),
    "cr_only": lambda t: _render(t, newline="\r").encode(),
    "utf16_bom": lambda t: _render(t, newline="\r\n").encode("utf-16"),
    "utf16_be_bom": lambda t: ("\ufeff" + _render(t)).encode("utf-16-be"),
    # Excel "Unicode text": UTF-16 with BOM, TAB-delimited, CRLF (a file without header
    # carries Excel's sep= line to say so)
    "excel_unicode_text": lambda t: _render(
        t, delimiter="\t", newline="\r\n", decimal_comma=False, sep_line=t.header is None
    ).encode("utf-16"),
    "quoted_everything": lambda t: _render(t, quote_all=True).encode(),
    "spreadsheet_padding": lambda t: _render(t, pad=2).encode(),
    "trailing_delimiter": lambda t: _render(t, trailing=True).encode(),
    "sep_line": lambda t: _render(t, sep_line=True).encode(),
    "semicolon_decimal_comma": lambda t: _render(
        t, delimiter=";", decimal_comma=True, sep_line=t.header is None
    ).encode(),
    "surrounding_whitespace": lambda t: _render(t, spaces=True).encode(),
    "blank_lines": lambda t: _render(t, blank_lines=True).encode(),
    # Excel "CSV UTF-8" of a sheet opened from a sep= file: BOM, sep= line, CRLF, every
    # field quoted, the used range's empty columns padded
    "excel_csv_utf8_export": lambda t: (
        "\ufeff" + _render(t, newline="\r\n", quote_all=True, pad=1, sep_line=True)
    ).encode(),
    # LibreOffice Calc, German locale: ';', decimal comma, text quoted, CRLF, no BOM, an
    # empty column of the used range
    "libreoffice_de_export": lambda t: _render(
        t,
        delimiter=";",
        newline="\r\n",
        decimal_comma=True,
        quote_all=True,
        pad=1,
        sep_line=t.header is None,
    ).encode(),
    "semicolon_trailing_delimiter": lambda t: _render(
        t, delimiter=";", trailing=True, sep_line=t.header is None
    ).encode(),
}


@pytest.mark.parametrize("variant", sorted(VARIANTS))
@pytest.mark.parametrize("reader", sorted(READERS))
def test_every_reader_reads_every_variant(tmp_path, reader, variant):
    spec = READERS[reader]
    plain = tmp_path / "plain.csv"
    plain.write_bytes(VARIANTS["plain"](spec.table))
    want = spec.read(plain)
    assert want, "the reference reads something"
    path = tmp_path / f"{variant}.csv"
    path.write_bytes(VARIANTS[variant](spec.table))
    assert spec.read(path) == want


def test_pair_counts_label_file_variants(tmp_path):
    pairs = tmp_path / "x_pair_counts.csv"
    pairs.write_bytes("\ufeffsep=;\r\nlabel_a;label_b;images\r\ndog;cat;3\r\n".encode())
    (tmp_path / "x_label_counts.csv").write_bytes(
        "label\timages\r\ncat\t9\r\nzebra\t2\r\n".encode("utf-16")
    )
    labels, counts = read_pair_counts(pairs)
    assert labels == ["cat", "dog", "zebra"] and counts == {("cat", "dog"): 3}


# ---------------------------------------------------------------------- the dialect itself
@pytest.mark.parametrize(
    ("text", "encoding", "delimiter", "sep_line"),
    [
        ("ImageID,Source,LabelName,Confidence\n", "utf-8", ",", False),
        ("\ufeffImageID;Source;LabelName;Confidence\n", "utf-8-sig", ";", False),
        ("ImageID\tSource\tLabelName\tConfidence\n", "utf-8", "\t", False),
        ("sep=|\nImageID|Source|LabelName|Confidence\n", "utf-8", "|", True),
        ("SEP=;\r\nImageID;LabelName\r\n", "utf-8", ";", True),
        ('"ImageID","Source","LabelName","Confidence"\n', "utf-8", ",", False),
        # a comma inside a quoted name does not make a comma file of a semicolon one
        ('ImageID;"Source, long";LabelName;Confidence\n', "utf-8", ";", False),
    ],
)
def test_sniff(tmp_path, text, encoding, delimiter, sep_line):
    p = tmp_path / "f.csv"
    p.write_text(text, encoding="utf-8")
    d = _csv.sniff(p, lambda f: "ImageID" in f)
    assert (d.encoding, d.delimiter, d.sep_line, d.has_header) == (
        encoding,
        delimiter,
        sep_line,
        True,
    )
    assert d.decimal_comma == (delimiter != ",")


def test_headerless_files_are_comma_separated(tmp_path):
    """Without a header (or a sep= line) nothing says ';' is a delimiter: it is text."""
    p = tmp_path / "c.csv"
    p.write_text("/m/b,Seal; grey\n/m/a;Person\n")
    with pytest.raises(InputError, match=r"c\.csv:2: expected 'label_code,description'"):
        read_label_names(p)
    assert read_label_names(p, skip_bad_rows=True) == (["/m/b"], ["Seal; grey"])


def test_not_text_is_a_corrupt_input_error(tmp_path):
    p = tmp_path / "h.csv"
    p.write_bytes(b"ImageID,Source,LabelName,Confidence\nimg1,v,/m/caf\xe9,1\n")
    with pytest.raises(CorruptInputError, match=r"h\.csv.*UTF-8 CSV.*CSV UTF-8"):
        read_human_labels(p)
    p.write_bytes("ImageID,LabelName\n".encode("utf-16-le"))  # UTF-16 without its BOM
    with pytest.raises(CorruptInputError, match=r"h\.csv"):
        read_classes_trainable(p)
