"""Reused photos are found by perceptual hash, through resizing, recompression and small crops."""

from __future__ import annotations

import io
import random
from datetime import date

from PIL import Image, ImageDraw

from wenming.core.photomatch import (
    BandIndex,
    PhotoIndex,
    distance,
    photo_print,
    signed,
    unsigned,
)


def _photo(seed: int, size: tuple[int, int] = (640, 480)) -> Image.Image:
    rng = random.Random(seed)
    image = Image.new("RGB", size, (rng.randrange(256), rng.randrange(256), rng.randrange(256)))
    draw = ImageDraw.Draw(image)
    for _ in range(30):
        x, y = rng.randrange(size[0]), rng.randrange(size[1])
        w, h = rng.randrange(40, 240), rng.randrange(40, 200)
        colour = (rng.randrange(256), rng.randrange(256), rng.randrange(256))
        if rng.random() < 0.5:
            draw.rectangle((x, y, x + w, y + h), fill=colour)
        else:
            draw.ellipse((x, y, x + w, y + h), fill=colour)
    return image


def _jpeg(image: Image.Image, quality: int = 90, exif: Image.Exif | None = None) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality, exif=exif or Image.Exif())
    return out.getvalue()


def test_a_resized_recompressed_and_cropped_copy_is_near_another_photo_is_far():
    original = _photo(1)
    h = photo_print(_jpeg(original))
    resized = photo_print(_jpeg(original.resize((320, 240)), quality=60))
    cropped = photo_print(_jpeg(original.crop((12, 10, 628, 470))))
    other = photo_print(_jpeg(_photo(2)))
    assert h and resized and cropped and other
    assert distance(h.hash, resized.hash) <= 4
    assert distance(h.hash, cropped.hash) <= 8
    assert distance(h.hash, other.hash) > 16


def test_the_exif_date_is_read_and_a_broken_image_is_no_photo():
    exif = Image.Exif()
    exif[306] = "2023:05:04 09:30:00"
    assert photo_print(_jpeg(_photo(3), exif=exif)).taken == date(2023, 5, 4)  # type: ignore[union-attr]
    assert photo_print(_jpeg(_photo(3))).taken is None  # type: ignore[union-attr]
    assert photo_print(b"\xff\xd8\xff not a jpeg") is None


def test_the_band_index_finds_every_hash_within_the_distance():
    rng = random.Random(5)
    stored = [rng.getrandbits(64) for _ in range(20_000)]
    index = PhotoIndex([signed(h) for h in stored], list(range(len(stored))))
    bands = BandIndex(stored, list(range(len(stored))))
    for target in rng.sample(range(len(stored)), 50):
        flipped = stored[target]
        for bit in rng.sample(range(64), rng.randint(0, 8)):
            flipped ^= 1 << bit
        near = index.near(flipped)
        assert (target, distance(flipped, stored[target])) in near
        brute = sorted(
            (i, distance(flipped, h)) for i, h in enumerate(stored) if distance(flipped, h) <= 8
        )
        assert sorted(near) == brute == sorted(bands.near(flipped))
    assert unsigned(signed(stored[0])) == stored[0]
