"""Scenes of the synthetic regions: backgrounds, the objects they hold, region styles (private).

Every scene has a background (horizontal colour bands plus a decoration), scene-level labels
(with the probability that an image of the scene carries them) and objects. People use one
glyph everywhere; their *role* label comes from the scene (a person in a grocery store is a
Shopkeeper, on a farm a Farmer, in the street a Pedestrian, in the sea a Swimmer, in a
restaurant a Chef, on a horse a Jockey), so only context tells the roles apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field

RGB = tuple[int, int, int]


@dataclass(frozen=True)
class ObjectSpec:
    """``count`` instances (inclusive range) with probability ``prob``; heights ``size``
    (fractions of the image side), bottoms in the vertical band ``zone`` (fractions)."""

    label: str
    glyph: str
    prob: float
    count: tuple[int, int] = (1, 1)
    size: tuple[float, float] = (0.3, 0.45)
    zone: tuple[float, float] = (0.8, 0.95)
    role: str | None = None


@dataclass(frozen=True)
class Scene:
    name: str
    labels: tuple[tuple[str, float], ...]
    bands: tuple[tuple[float, RGB], ...]  # (bottom edge as a fraction, colour), top to bottom
    objects: tuple[ObjectSpec, ...]
    decor: str = ""
    indoor: bool = False


SKY: RGB = (120, 180, 235)

SCENES: tuple[Scene, ...] = (
    Scene(
        "grocery",
        labels=(("Grocery store", 1.0), ("Market", 0.5)),
        bands=((0.7, (225, 210, 180)), (1.0, (150, 150, 150))),
        decor="shelves",
        indoor=True,
        objects=(
            ObjectSpec(
                "Person", "person", 0.85, size=(0.45, 0.6), zone=(0.85, 0.95), role="Shopkeeper"
            ),
            ObjectSpec("Table", "table", 0.5, size=(0.25, 0.3), zone=(0.9, 0.97)),
            ObjectSpec("Fruit", "fruit", 0.8, (2, 4), size=(0.08, 0.12), zone=(0.55, 0.9)),
            ObjectSpec("Vegetable", "vegetable", 0.55, (1, 3), size=(0.12, 0.18), zone=(0.55, 0.9)),
            ObjectSpec("Bread", "bread", 0.4, (1, 2), size=(0.08, 0.12), zone=(0.55, 0.9)),
        ),
    ),
    Scene(
        "farm",
        labels=(("Farm", 1.0), ("Sky", 0.9), ("Grass", 0.8)),
        bands=((0.45, SKY), (1.0, (90, 170, 70))),
        decor="clouds",
        objects=(
            ObjectSpec("Horse", "horse", 0.7, size=(0.3, 0.4), zone=(0.75, 0.95)),
            ObjectSpec("Sheep", "sheep", 0.45, (1, 3), size=(0.14, 0.2), zone=(0.65, 0.95)),
            ObjectSpec("Tree", "tree", 0.55, (1, 2), size=(0.4, 0.6), zone=(0.5, 0.62)),
            ObjectSpec("Fence", "fence", 0.45, size=(0.15, 0.2), zone=(0.6, 0.7)),
            ObjectSpec("Tractor", "tractor", 0.3, size=(0.22, 0.3), zone=(0.7, 0.95)),
            ObjectSpec("Person", "person", 0.5, size=(0.35, 0.45), zone=(0.8, 0.95), role="Farmer"),
        ),
    ),
    Scene(
        "street",
        labels=(("Road", 1.0), ("Sky", 0.8)),
        bands=((0.35, SKY), (0.6, (185, 185, 180)), (1.0, (70, 70, 75))),
        decor="road",
        objects=(
            ObjectSpec("Building", "building", 0.7, (1, 3), size=(0.35, 0.55), zone=(0.58, 0.6)),
            ObjectSpec("Car", "car", 0.8, (1, 2), size=(0.14, 0.2), zone=(0.75, 0.95)),
            ObjectSpec("Bus", "bus", 0.25, size=(0.2, 0.25), zone=(0.8, 0.95)),
            ObjectSpec("Traffic light", "traffic light", 0.6, size=(0.35, 0.45), zone=(0.6, 0.65)),
            ObjectSpec("Bicycle", "bicycle", 0.35, size=(0.18, 0.22), zone=(0.75, 0.95)),
            ObjectSpec(
                "Person",
                "person",
                0.6,
                (1, 2),
                size=(0.3, 0.4),
                zone=(0.6, 0.66),
                role="Pedestrian",
            ),
        ),
    ),
    Scene(
        "beach",
        labels=(("Beach", 1.0), ("Sky", 0.9), ("Water", 0.9), ("Sand", 0.8), ("Sea", 0.6)),
        bands=((0.35, SKY), (0.62, (40, 110, 190)), (1.0, (230, 210, 150))),
        decor="clouds",
        objects=(
            ObjectSpec("Boat", "boat", 0.5, size=(0.18, 0.25), zone=(0.45, 0.55)),
            ObjectSpec("Umbrella", "umbrella", 0.5, (1, 2), size=(0.25, 0.35), zone=(0.8, 0.95)),
            ObjectSpec(
                "Person", "person", 0.55, size=(0.25, 0.3), zone=(0.55, 0.6), role="Swimmer"
            ),
            ObjectSpec("Dog", "dog", 0.1, size=(0.14, 0.18), zone=(0.8, 0.95)),
        ),
    ),
    Scene(
        "restaurant",
        labels=(("Restaurant", 1.0),),
        bands=((0.65, (200, 120, 80)), (1.0, (120, 80, 50))),
        decor="frames",
        indoor=True,
        objects=(
            ObjectSpec("Table", "table", 0.9, size=(0.3, 0.35), zone=(0.88, 0.95)),
            ObjectSpec("Chair", "chair", 0.8, (1, 2), size=(0.3, 0.4), zone=(0.9, 0.97)),
            ObjectSpec("Plate", "plate", 0.7, size=(0.06, 0.08), zone=(0.55, 0.6)),
            ObjectSpec("Cup", "cup", 0.5, size=(0.08, 0.1), zone=(0.55, 0.6)),
            ObjectSpec("Bread", "bread", 0.35, size=(0.07, 0.1), zone=(0.55, 0.6)),
            ObjectSpec("Person", "person", 0.45, size=(0.45, 0.6), zone=(0.75, 0.85), role="Chef"),
        ),
    ),
    Scene(
        "park",
        labels=(("Park", 1.0), ("Grass", 0.9), ("Sky", 0.8)),
        bands=((0.4, SKY), (1.0, (110, 190, 90))),
        decor="clouds",
        objects=(
            ObjectSpec("Tree", "tree", 0.85, (1, 3), size=(0.4, 0.6), zone=(0.5, 0.65)),
            ObjectSpec("Dog", "dog", 0.6, size=(0.14, 0.2), zone=(0.8, 0.95)),
            ObjectSpec("Cat", "cat", 0.2, size=(0.12, 0.16), zone=(0.8, 0.95)),
            ObjectSpec("Flower", "flower", 0.45, (1, 3), size=(0.1, 0.14), zone=(0.75, 0.98)),
            ObjectSpec("Bicycle", "bicycle", 0.3, size=(0.18, 0.22), zone=(0.75, 0.95)),
            ObjectSpec("Person", "person", 0.5, size=(0.3, 0.4), zone=(0.8, 0.95)),
        ),
    ),
)


@dataclass(frozen=True)
class RegionStyle:
    """Appearance and label statistics of one region (train or test).

    Pixel transform: ``clip((x * tint - 128) * contrast + 128 + brightness + noise)``, noise
    Gaussian with std ``noise`` (grey levels); ``outline`` draws glyph outlines (an art style);
    ``band_shift`` adds to every background colour. ``scene_prior`` are the scene
    probabilities (order of :data:`SCENES`), ``object_scale`` multiplies object probabilities.
    """

    name: str
    scene_prior: tuple[float, ...]
    tint: tuple[float, float, float] = (1.0, 1.0, 1.0)
    contrast: float = 1.0
    brightness: float = 0.0
    noise: float = 3.0
    outline: RGB | None = None
    band_shift: RGB = (0, 0, 0)
    object_scale: dict[str, float] = field(default_factory=dict)


TRAIN_STYLE = RegionStyle("train", scene_prior=(0.22, 0.22, 0.22, 0.12, 0.12, 0.10))
TEST_STYLE = RegionStyle(
    "test",
    scene_prior=(0.10, 0.12, 0.13, 0.25, 0.20, 0.20),
    tint=(1.08, 0.97, 0.85),
    contrast=0.8,
    brightness=12.0,
    noise=8.0,
    outline=(25, 25, 25),
    band_shift=(15, -10, -20),
    object_scale={"Cat": 2.5, "Umbrella": 1.5, "Car": 0.6, "Horse": 0.7},
)
