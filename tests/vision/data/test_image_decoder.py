"""ImageDecoder: every mode and bit depth to the right RGB pixels, all 8 EXIF orientations,
the pixel limit, reduced-size JPEG decoding within a tolerance, bad files named."""

from __future__ import annotations

import io
import struct
import zlib

import numpy as np
import pytest
from PIL import Image

from corpora.errors import CorruptInputError, InputError
from vision.data import DEFAULT_MAX_IMAGE_PIXELS, ImageDecodeError, ImageDecoder

RED, GREEN, BLUE, WHITE = (255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 255)


def png_bytes(arr: np.ndarray, color_type: int, bit_depth: int) -> bytes:
    """A PNG written by hand (Pillow cannot write 16-bit RGB or 2-bit grey):
    ``arr`` uint ``[H, W, C]``, colour type 0 (grey), 2 (RGB), 4 (grey+alpha), 6 (RGBA)."""
    h, w = arr.shape[:2]
    rows = []
    for y in range(h):
        row = arr[y].reshape(-1)
        if bit_depth == 16:
            data = row.astype(">u2").tobytes()
        elif bit_depth == 8:
            data = row.astype(np.uint8).tobytes()
        else:
            per = 8 // bit_depth
            vals = np.concatenate([row, np.zeros((-len(row)) % per, row.dtype)]).reshape(-1, per)
            shifts = bit_depth * np.arange(per - 1, -1, -1)
            data = (vals.astype(np.uint8) << shifts).sum(1).astype(np.uint8).tobytes()
        rows.append(b"\0" + data)

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    ihdr = struct.pack(">IIBBBBB", w, h, bit_depth, color_type, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"".join(rows)))
        + chunk(b"IEND", b"")
    )


def decode(path, size=8, **kw):
    return ImageDecoder(**kw).decode(path, size)


def assert_colour(base, colour, tol=0):
    diff = np.abs(base.astype(int) - np.array(colour)).max()
    assert diff <= tol, (base[0, 0], colour)


# ----------------------------------------------------------------- modes and bit depths
def test_every_mode_and_bit_depth_decodes_to_the_right_rgb(tmp_path):
    cases = {}

    def save(name, img, **kw):
        p = tmp_path / name
        img.save(p, **kw)
        cases[name] = p
        return p

    save("one_bit.png", Image.new("1", (10, 10), 1))
    save("grey.png", Image.new("L", (10, 10), 77))
    save("grey_alpha.png", Image.new("LA", (10, 10), (0, 0)))  # transparent -> white
    save("rgb.png", Image.new("RGB", (10, 10), (10, 20, 30)))
    save("rgba_opaque.png", Image.new("RGBA", (10, 10), (10, 20, 30, 255)))
    save("cmyk.jpg", Image.new("CMYK", (16, 16), (0, 255, 255, 0)), quality=95)  # red
    save("cmyk.tif", Image.new("CMYK", (10, 10), (255, 0, 0, 0)))  # cyan
    sixteen = Image.fromarray(np.full((10, 10), 257 * 200, np.uint16))
    assert sixteen.mode == "I;16"
    save("grey16.png", sixteen)
    save("int32.tif", Image.fromarray(np.full((10, 10), 257 * 100, np.int32)))
    save("int32_8bit_range.tif", Image.fromarray(np.full((10, 10), 100, np.int32)))
    save("float_unit.tif", Image.fromarray(np.full((10, 10), 0.5, np.float32)))
    save("gif.gif", Image.new("RGB", (10, 10), (0, 0, 255)).convert("P"))
    save("bmp.bmp", Image.new("RGB", (10, 10), (40, 50, 60)))
    save("webp.webp", Image.new("RGBA", (10, 10), (0, 255, 0, 0)), lossless=True)  # -> white
    save("ycbcr.jpg", Image.new("RGB", (16, 16), (0, 0, 255)), quality=95)
    save("grey.jpg", Image.new("L", (16, 16), 128), quality=95)
    rgb16 = np.zeros((10, 10, 3), np.uint16)
    rgb16[...] = (65535, 257 * 128, 0)
    (tmp_path / "rgb16.png").write_bytes(png_bytes(rgb16, 2, 16))
    rgba16 = np.zeros((10, 10, 4), np.uint16)
    rgba16[...] = (0, 0, 65535, 65535)
    (tmp_path / "rgba16.png").write_bytes(png_bytes(rgba16, 6, 16))
    grey2 = np.tile(np.array([0, 1, 2, 3], np.uint8), (4, 4))[..., None]  # 16 wide, 4 high
    (tmp_path / "grey2bit.png").write_bytes(png_bytes(grey2, 0, 2))
    la16 = np.zeros((10, 10, 2), np.uint16)
    la16[...] = (257 * 50, 0)  # fully transparent -> white
    (tmp_path / "la16.png").write_bytes(png_bytes(la16, 4, 16))

    expected = {
        "one_bit.png": (WHITE, 0),
        "grey.png": ((77, 77, 77), 0),
        "grey_alpha.png": (WHITE, 0),
        "rgb.png": ((10, 20, 30), 0),
        "rgba_opaque.png": ((10, 20, 30), 0),
        "cmyk.jpg": (RED, 6),
        "cmyk.tif": ((0, 255, 255), 0),
        "grey16.png": ((200, 200, 200), 0),
        "int32.tif": ((100, 100, 100), 0),
        "int32_8bit_range.tif": ((100, 100, 100), 0),
        "float_unit.tif": ((128, 128, 128), 0),
        "gif.gif": (BLUE, 0),
        "bmp.bmp": ((40, 50, 60), 0),
        "webp.webp": (WHITE, 0),
        "ycbcr.jpg": (BLUE, 6),
        "grey.jpg": ((128, 128, 128), 2),
        "rgb16.png": ((255, 128, 0), 0),
        "rgba16.png": (BLUE, 0),
        "la16.png": (WHITE, 0),
    }
    modes = {}
    for name, (colour, tol) in expected.items():
        with Image.open(tmp_path / name) as img:
            modes[name] = img.mode
        base = decode(tmp_path / name)
        assert base.shape == (8, 8, 3) and base.dtype == np.uint8, name
        assert_colour(base, colour, tol)
    # the files really are in the modes the test is about
    assert modes["grey16.png"].startswith("I;16") and modes["int32.tif"] == "I"
    assert modes["float_unit.tif"] == "F" and modes["cmyk.jpg"] == "CMYK"
    assert modes["one_bit.png"] == "1" and modes["grey_alpha.png"] == "LA"
    # 2-bit grey: the four levels spread over 0..255 (base image 4 high -> 4 wide crop: no
    # resize needed when asking for size 4)
    g = ImageDecoder().decode(tmp_path / "grey2bit.png", 4)
    assert g.shape == (4, 4, 3)
    full = np.asarray(Image.open(tmp_path / "grey2bit.png").convert("L"))
    np.testing.assert_array_equal(np.unique(full), [0, 85, 170, 255])


def test_transparency_of_palette_grey_and_rgb_images_is_composited_on_white(tmp_path):
    # palette with one transparent index (bytes transparency)
    pal = Image.new("P", (10, 10), 0)
    pal.putpalette([255, 0, 0, 0, 255, 0] + [0] * 762)
    pal.paste(1, (0, 5, 10, 10))  # bottom half green
    pal.save(tmp_path / "pal.png", transparency=bytes([0, 255]))  # index 0 transparent
    base = ImageDecoder().decode(tmp_path / "pal.png", 10)
    assert_colour(base[:5], WHITE)
    assert_colour(base[5:], GREEN)
    # grey with a transparent key value, RGB with a transparent key colour
    Image.new("L", (10, 10), 9).save(tmp_path / "grey_key.png", transparency=9)
    assert_colour(decode(tmp_path / "grey_key.png"), WHITE)
    Image.new("RGB", (10, 10), (1, 2, 3)).save(tmp_path / "rgb_key.png", transparency=(1, 2, 3))
    assert_colour(decode(tmp_path / "rgb_key.png"), WHITE)
    # half-transparent red over white
    Image.new("RGBA", (10, 10), (255, 0, 0, 128)).save(tmp_path / "half.png")
    assert_colour(decode(tmp_path / "half.png"), (255, 127, 127), tol=1)


# ----------------------------------------------------------------- EXIF orientation
def stored_for(display: np.ndarray, orientation: int) -> np.ndarray:
    """The stored pixels that EXIF ``orientation`` turns into ``display`` (by the EXIF
    definition of where row 0 and column 0 of the stored frame go)."""
    d = display
    return {
        1: d,
        2: d[:, ::-1],
        3: d[::-1, ::-1],
        4: d[::-1, :],
        5: d.transpose(1, 0, 2),
        6: np.rot90(d, 1),
        7: d[::-1, ::-1].transpose(1, 0, 2),
        8: np.rot90(d, -1),
    }[orientation]


def quadrants(base):
    s = base.shape[0]
    q = s // 4
    return [base[q, q], base[q, s - 1 - q], base[s - 1 - q, q], base[s - 1 - q, s - 1 - q]]


@pytest.mark.parametrize("fmt", ["jpg", "png"])
@pytest.mark.parametrize("orientation", range(1, 9))
def test_exif_orientation_is_applied_before_resizing_and_cropping(tmp_path, orientation, fmt):
    # The photo as displayed: 48 wide, 96 high; the base image is its middle square, so the
    # quadrant colours tell both the rotation and that the crop was taken upright.
    display = np.zeros((96, 48, 3), np.uint8)
    display[:24] = (255, 255, 0)  # top quarter: cropped away when upright
    display[24:48, :24], display[24:48, 24:] = RED, GREEN
    display[48:72, :24], display[48:72, 24:] = BLUE, WHITE
    display[72:] = (0, 0, 0)  # bottom quarter: cropped away when upright
    img = Image.fromarray(np.ascontiguousarray(stored_for(display, orientation)))
    exif = img.getexif()
    exif[0x0112] = orientation
    path = tmp_path / f"photo.{fmt}"
    img.save(path, exif=exif.tobytes(), **({"quality": 95} if fmt == "jpg" else {}))
    base = ImageDecoder().decode(path, 32)
    tol = 40 if fmt == "jpg" else 0
    for got, want in zip(quadrants(base), [RED, GREEN, BLUE, WHITE]):
        assert np.abs(got.astype(int) - want).max() <= tol, (orientation, got, want)


# ----------------------------------------------------------------- sizes, draft decoding
def test_sizes_wide_tall_tiny_and_upscaled(tmp_path):
    wide = np.zeros((10, 40, 3), np.uint8)
    wide[:, 15:25] = RED  # the centre square after resizing to 8 high: columns 15..25
    Image.fromarray(wide).save(tmp_path / "wide.png")
    base = decode(tmp_path / "wide.png", 10)
    assert_colour(base, RED)
    Image.new("RGB", (1, 1), (5, 6, 7)).save(tmp_path / "dot.png")
    assert_colour(decode(tmp_path / "dot.png", 16), (5, 6, 7))  # upscaled


def textured(h, w, seed=0):
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w]
    smooth = np.stack(
        [128 + 100 * np.sin(x / 97 + c) * np.cos(y / 71 - c) for c in range(3)], axis=-1
    )
    return np.clip(smooth + rng.normal(0, 20, (h, w, 3)), 0, 255).astype(np.uint8)


def test_reduced_size_jpeg_decoding_matches_full_decode_within_tolerance(tmp_path):
    path = tmp_path / "big.jpg"
    Image.fromarray(textured(1500, 2000)).save(path, quality=90)
    for size in (32, 64, 128):
        fast = ImageDecoder(draft=True).decode(path, size).astype(int)
        full = ImageDecoder(draft=False).decode(path, size).astype(int)
        diff = np.abs(fast - full)
        assert diff.mean() < 0.5 and np.percentile(diff, 99) <= 2, (size, diff.mean())
        assert diff.max() > 0  # draft really was used (a DCT-scaled decode is not identical)
    # no draft when the target is close to the original size: identical pixels
    small = tmp_path / "small.jpg"
    Image.fromarray(textured(100, 120)).save(small, quality=90)
    np.testing.assert_array_equal(
        ImageDecoder(draft=True).decode(small, 64), ImageDecoder(draft=False).decode(small, 64)
    )


# ----------------------------------------------------------------- bad files
def test_bad_files_raise_one_error_naming_the_file(tmp_path):
    (tmp_path / "empty.jpg").write_bytes(b"")
    (tmp_path / "text.jpg").write_text("this is a text file named .jpg\n")
    buf = io.BytesIO()
    Image.fromarray(textured(64, 64)).save(buf, "JPEG", quality=90)
    (tmp_path / "truncated.jpg").write_bytes(buf.getvalue()[: len(buf.getvalue()) * 2 // 3])
    buf = io.BytesIO()
    Image.fromarray(textured(64, 64)).save(buf, "PNG")
    (tmp_path / "truncated.png").write_bytes(buf.getvalue()[: len(buf.getvalue()) // 2])
    reasons = {
        "empty.jpg": "UnidentifiedImageError: cannot identify image file",
        "text.jpg": "UnidentifiedImageError: cannot identify image file",
        "truncated.jpg": "OSError: image file is truncated",
        "truncated.png": "",
    }
    for name, reason in reasons.items():
        with pytest.raises(ImageDecodeError, match=rf"cannot decode image .*{name} \(") as info:
            ImageDecoder().decode(tmp_path / name, 8)
        assert isinstance(info.value, CorruptInputError)  # the CLIs' one-line error
        assert info.value.path == tmp_path / name and reason in info.value.reason
    # the header check passes a truncated JPEG (its header is intact) but not the others
    ImageDecoder().check_header(tmp_path / "truncated.jpg")
    with pytest.raises(ImageDecodeError, match="text.jpg"):
        ImageDecoder().check_header(tmp_path / "text.jpg")


def test_pixel_limit_is_an_option_with_a_clear_message(tmp_path):
    path = tmp_path / "scan.png"
    Image.new("1", (300, 200), 0).save(path)  # 60,000 pixels, tiny on disk
    assert DEFAULT_MAX_IMAGE_PIXELS == 89_478_485 == Image.MAX_IMAGE_PIXELS
    assert decode(path).shape == (8, 8, 3)  # under the default limit
    with pytest.raises(
        ImageDecodeError,
        match=r"scan.png \(DecompressionBombError: image size 300x200 = 60,000 pixels exceeds "
        r"the limit of 59,999 pixels \(--max-image-pixels 59999; raise it, or 0 for no limit",
    ):
        decode(path, max_image_pixels=59_999)
    with pytest.raises(ImageDecodeError, match="DecompressionBombError"):
        ImageDecoder(max_image_pixels=100).check_header(path)
    assert decode(path, max_image_pixels=60_000).shape == (8, 8, 3)
    assert ImageDecoder(max_image_pixels=0).max_image_pixels == 0
    assert ImageDecoder(max_image_pixels=None).max_image_pixels == 0  # None = 0 = no limit
    # Pillow's own global setting is left as it was
    assert Image.MAX_IMAGE_PIXELS == DEFAULT_MAX_IMAGE_PIXELS
    with pytest.raises(InputError, match="max_image_pixels must be a pixel count >= 0"):
        ImageDecoder(max_image_pixels=-1)


def test_no_limit_decodes_an_image_above_pillows_own_limits(tmp_path):
    path = tmp_path / "huge.png"
    Image.new("1", (20000, 9000), 1).save(path)  # 180 MP > 2 x Pillow's limit, ~25 KB
    with pytest.raises(ImageDecodeError, match="DecompressionBombError"):
        decode(path)
    assert_colour(decode(path, 4, max_image_pixels=0), WHITE)


@pytest.mark.parametrize("orientation", range(1, 9))
def test_draft_decoding_with_every_orientation_matches_full_decode(tmp_path, orientation):
    # 606 x 302 does not divide by the DCT scale: the reduced image's last row and column
    # are partial, and that region moves with the orientation.
    stored = textured(302, 606, seed=orientation)
    img = Image.fromarray(stored)
    exif = img.getexif()
    exif[0x0112] = orientation
    path = tmp_path / "photo.jpg"
    img.save(path, exif=exif.tobytes(), quality=92)
    fast = ImageDecoder(draft=True).decode(path, 32).astype(int)
    full = ImageDecoder(draft=False).decode(path, 32).astype(int)
    diff = np.abs(fast - full)
    assert diff.mean() < 0.6 and diff.max() <= 4, (orientation, diff.mean(), diff.max())
