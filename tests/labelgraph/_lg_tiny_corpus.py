"""A tiny hand-made corpus + labels + annotations for the build/query CLI tests."""

from __future__ import annotations

from pathlib import Path

LABELS = [
    ("/m/p", "Person"),
    ("/m/s", "Shopkeeper"),
    ("/m/g", "Grocery store"),
    ("/m/h", "Horse"),
    ("/m/r", "Rider"),
    ("/m/st", "Stable"),
    ("/m/z", "Zebra"),
]

# (sentence, repetitions); one document per paragraph
PARAGRAPHS = [
    [
        ("The shopkeeper greeted a person in the grocery store.", 6),
        ("A person bought bread from the shopkeeper.", 4),
        ("The grocery store sold bread and milk.", 3),
    ],
    [
        ("The rider fed the horse in the stable.", 6),
        ("A horse and its rider crossed the field.", 4),
        ("The stable was warm and dry.", 3),
    ],
    [
        ("Bread and milk are sold in the morning.", 3),
        ("The field was green and the sky was blue.", 3),
    ],
]


def write_inputs(root: Path) -> dict[str, Path]:
    root.mkdir(parents=True, exist_ok=True)
    corpus = root / "corpus.txt"
    blocks = []
    for para in PARAGRAPHS:
        blocks.append(" ".join(s for s, n in para for _ in range(n)))
    corpus.write_text("\n\n".join(blocks) + "\n", encoding="utf-8")
    labels = root / "class-descriptions.csv"
    labels.write_text("".join(f"{c},{n}\n" for c, n in LABELS), encoding="utf-8")
    ann = root / "tuning_labels.csv"
    ann.write_text(
        "i1,/m/p /m/s /m/g\ni2,/m/p /m/s\ni3,/m/h /m/r\ni4,/m/p /m/h\ni5,/m/p\ni6,/m/p /m/g\n",
        encoding="utf-8",
    )
    return {"corpus": corpus, "labels": labels, "annotations": ann}


def build_args(inputs: dict[str, Path], out: Path, *extra: str) -> list[str]:
    return [
        "build",
        "--corpus",
        str(inputs["corpus"]),
        "--labels",
        str(inputs["labels"]),
        "--annotations",
        str(inputs["annotations"]),
        "--out",
        str(out),
        "--vector-size",
        "8",
        "--epochs",
        "3",
        "--min-count",
        "1",
        "--workers",
        "1",
        "--pair-min-count",
        "1",
        "--knn",
        "3",
        "--quiet",
        *extra,
    ]
