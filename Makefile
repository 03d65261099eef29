# Two commands do everything: `make demo` and `make test`.
# The install step runs once: it is keyed on a stamp file that depends on pyproject.toml and
# on the build of the compiled text pipeline (setup.py, corpora/_ctext.c), rebuilt on change.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed
DEMO_OUT ?= runs/demo
# torch pinned for this machine (local wheels); see "Install" in README.md.
TORCH_PINS ?= torch==2.14.1 torchvision==0.29.1
# another index for torch only, e.g. a CPU-only wheel index (the default Linux wheel brings
# about 3 GB of CUDA libraries): make install TORCH_INDEX_URL=https://.../whl/cpu
TORCH_INDEX_URL ?=

.PHONY: demo test lint format install clean-venv bench

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(STAMP): pyproject.toml setup.py corpora/_ctext.c | $(PY)
	@if ! $(PY) -c "import torch, torchvision" >/dev/null 2>&1; then \
		echo "installing $(TORCH_PINS)"; \
		$(PIP) install --quiet $(if $(TORCH_INDEX_URL),--index-url $(TORCH_INDEX_URL)) \
			$(TORCH_PINS); \
	fi
	$(PIP) install --quiet -e ".[test]"
	@touch $(STAMP)

install: $(STAMP)

# runs again into the same folder (the demo replaces its earlier outputs there)
demo: $(STAMP)
	$(PY) -m vision.demo --out $(DEMO_OUT)

test: $(STAMP)
	@$(PY) -m pytest -q; rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests: failing" >&2; exit 1; fi; exit $$rc

lint: $(STAMP)
	$(VENV)/bin/ruff check corpora labelgraph vision tests bench
	$(VENV)/bin/ruff format --check corpora labelgraph vision tests bench

format: $(STAMP)
	$(VENV)/bin/ruff format corpora labelgraph vision tests bench
	$(VENV)/bin/ruff check --fix corpora labelgraph vision tests bench

clean-venv:
	rm -rf $(VENV)
