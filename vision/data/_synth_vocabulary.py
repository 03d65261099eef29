"""The synthetic regions' labels: real Open Images names and codes (private table).

Codes were looked up in the Open Images ``class-descriptions.csv`` (Inclusive Images
challenge); all of :data:`SYNTH_LABELS` are in its ``classes-trainable.csv``. The order is
the priority used by ``vision synth --labels L`` (the first ``L`` are kept).
"""

from __future__ import annotations

#: (code, name), most important first.
SYNTH_LABELS: tuple[tuple[str, str], ...] = (
    ("/m/01g317", "Person"),
    ("/m/07j7r", "Tree"),
    ("/m/01bqvp", "Sky"),
    ("/m/0k4j", "Car"),
    ("/m/03k3r", "Horse"),
    ("/m/0bt9lr", "Dog"),
    ("/m/02wbm", "Food"),
    ("/m/01jpn4", "Grocery store"),
    ("/m/06ts_6", "Shopkeeper"),
    ("/m/0g8p9", "Farm"),
    ("/m/06gfj", "Road"),
    ("/m/0b3yr", "Beach"),
    ("/m/0838f", "Water"),
    ("/m/02xwb", "Fruit"),
    ("/m/04bcr3", "Table"),
    ("/m/07yv9", "Vehicle"),
    ("/m/08t9c_", "Grass"),
    ("/m/019jd", "Boat"),
    ("/m/0199g", "Bicycle"),
    ("/m/015qff", "Traffic light"),
    ("/m/06l8d", "Restaurant"),
    ("/m/01mzpv", "Chair"),
    ("/m/0g0vx", "Farmer"),
    ("/m/017r8p", "Pedestrian"),
    ("/m/099fz", "Sand"),
    ("/m/0g2zmg", "Saddle"),
    ("/m/0zvk5", "Helmet"),
    ("/m/09728", "Bread"),
    ("/m/01yrx", "Cat"),
    ("/m/09y4pm", "Market"),
    ("/m/02h6p1l", "Swimmer"),
    ("/m/01pn0r", "Chef"),
    ("/m/01pvc5", "Jockey"),
    ("/m/07bgp", "Sheep"),
    ("/m/0blz9", "Fence"),
    ("/m/0cgh4", "Building"),
    ("/m/01bjv", "Bus"),
    ("/m/06npx", "Sea"),
    ("/m/0hnnb", "Umbrella"),
    ("/m/050gv4", "Plate"),
    ("/m/07ptj3n", "Cup"),
    ("/m/0f4s2w", "Vegetable"),
    ("/m/0166ls", "Park"),
    ("/m/013xlm", "Tractor"),
    ("/m/0c9ph5", "Flower"),
    ("/m/0csby", "Cloud"),
    ("/m/03011x", "Leash"),
)

#: In ``class-descriptions.csv`` only (not trainable), as in the real vocabulary.
EXTRA_VOCABULARY: tuple[tuple[str, str], ...] = (
    ("/m/04yx4", "Man"),
    ("/m/03bt1vf", "Woman"),
    ("/m/01lbst", "Baker"),
)

CODE = {name: code for code, name in SYNTH_LABELS}

#: Broader labels implied by a more specific one (annotated together, as in Open Images).
PARENTS: dict[str, tuple[str, ...]] = {
    "Fruit": ("Food",),
    "Bread": ("Food",),
    "Vegetable": ("Food",),
    "Car": ("Vehicle",),
    "Bus": ("Vehicle",),
    "Bicycle": ("Vehicle",),
    "Boat": ("Vehicle",),
    "Tractor": ("Vehicle",),
    "Shopkeeper": ("Person",),
    "Farmer": ("Person",),
    "Pedestrian": ("Person",),
    "Swimmer": ("Person",),
    "Chef": ("Person",),
    "Jockey": ("Person",),
}
