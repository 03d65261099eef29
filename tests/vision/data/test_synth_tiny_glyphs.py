"""Regression: tiny glyphs at small image sizes used to crash PIL's rounded_rectangle."""

import pytest
from PIL import Image

from vision.data._synth_glyphs import SafeDraw


@pytest.mark.parametrize("box", [(0, 0, 3, 3), (5, 5, 6, 12), (10, 2, 4, 9), (0, 0, 20, 12)])
def test_rounded_rectangle_never_raises_on_tiny_boxes(box):
    img = Image.new("RGB", (24, 24), "white")
    d = SafeDraw(img)
    d.rounded_rectangle(box, radius=6, fill=(200, 100, 50), outline=(0, 0, 0))
    # the centre of the box is drawn (fill, or outline where the box is 1-2 px wide)
    cx, cy = (box[0] + box[2]) // 2, (box[1] + box[3]) // 2
    assert img.getpixel((cx, cy)) in {(200, 100, 50), (0, 0, 0)}


def test_synth_600_images_at_32px(tmp_path):
    from vision.data.synth_dataset import generate_synth_dataset

    generate_synth_dataset(tmp_path / "d", images=600, image_size=32, seed=0, progress=False)
    assert len(list((tmp_path / "d" / "train").iterdir())) == 600
