"""A hand-made micro data set in Open Images layout (coloured squares, 3 labels)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

CODES = ["/m/red", "/m/green", "/m/blue"]
NAMES = ["Red", "Green", "Blue"]


def make_micro_data(root: Path, n: int = 24, size: int = 16, seed: int = 0) -> Path:
    """``n`` images ``size`` px: each has a random subset of red/green/blue blocks; labels say
    which colours are present. Returns ``root``."""
    rng = np.random.default_rng(seed)
    (root / "train").mkdir(parents=True, exist_ok=True)
    rows = ["ImageID,Source,LabelName,Confidence"]
    for i in range(n):
        present = rng.random(3) < 0.5
        if not present.any():
            present[i % 3] = True
        img = np.full((size, size, 3), 255, dtype=np.uint8)
        third = size // 3
        for k in range(3):
            if present[k]:
                img[:, k * third : (k + 1) * third, :] = 0
                img[:, k * third : (k + 1) * third, k] = 220
        image_id = f"img{i:04d}"
        Image.fromarray(img).save(root / "train" / f"{image_id}.png")
        for k in range(3):
            if present[k]:
                rows.append(f"{image_id},verification,{CODES[k]},1")
    (root / "train_human_labels.csv").write_text("\n".join(rows) + "\n")
    (root / "class-descriptions.csv").write_text(
        "".join(f"{c},{nm}\n" for c, nm in zip(CODES, NAMES))
    )
    (root / "classes-trainable.csv").write_text("label_code\n" + "".join(f"{c}\n" for c in CODES))
    return root
