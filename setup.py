"""Build script for the optional compiled part: ``corpora._ctext`` (the wikitext cleaner and
tokenizer in C). Everything else is in pyproject.toml.

The extension is optional: where it cannot be compiled (no C compiler, no Python headers),
the install goes on without it and ``corpora`` uses its pure-Python code, which gives the same
output (``corpora/_speedups.py``)."""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "corpora._ctext",
            sources=["corpora/_ctext.c"],
            extra_compile_args=["-O2"],
            optional=True,
        )
    ]
)
