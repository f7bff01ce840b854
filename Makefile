# Simpul: the two commands a new machine needs.
#   make run    install what is missing, build, start the demo node on 127.0.0.1:8080
#   make check  install what is missing, build, run every test (also under ASan+UBSan)
BUILD   ?= build
LISTEN  ?= 127.0.0.1:8080

.PHONY: all deps build run check unit e2e asan fuzz bench clean

all: build

deps:
	@scripts/deps.sh

$(BUILD)/build.ninja:
	meson setup $(BUILD) --buildtype=debugoptimized

build: deps $(BUILD)/build.ninja
	ninja -C $(BUILD)

demo/seed/agencies.json: scripts/demo_data.py
	python3 scripts/demo_data.py --out demo/seed

run: build demo/seed/agencies.json
	$(BUILD)/src/cli/simpul run --db demo/simpul.db --seed demo/seed --listen $(LISTEN)

check: deps
	@scripts/check.sh

unit: build
	meson test -C $(BUILD) --print-errorlogs

e2e: build
	python3 tests/e2e/run.py --bin $(BUILD)/src/cli/simpul

fuzz: deps
	scripts/fuzz.sh

bench: build
	bench/run.sh

clean:
	rm -rf build build-asan build-fuzz demo
