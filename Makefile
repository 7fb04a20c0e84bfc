# energize — the two commands a newcomer needs: `make demo` and `make test`.
# Both install what is missing (apt: libpq-dev libmongoc-dev libbson-dev postgresql;
# pip: nx-27017) and start local servers on free ports.
SHELL := /bin/bash
export PATH := $(PATH):/opt/swift/usr/bin

.PHONY: demo test build bench docs servers-start servers-stop servers-status deps clean

demo:
	@bash scripts/demo.sh

test:
	@bash scripts/test.sh

build: deps
	swift build

bench: deps
	@bash scripts/bench.sh

# The Warehouse module's DocC documentation (getting started, every public type) as a static site.
docs: deps
	mkdir -p .build/docs
	swift package --disable-sandbox generate-documentation --target Warehouse --warnings-as-errors \
	  --transform-for-static-hosting --output-path .build/docs/Warehouse
	@echo "open .build/docs/Warehouse/documentation/warehouse/index.html through a web server (DocC sites need one)"

deps:
	@bash scripts/install-deps.sh

servers-start: deps
	@bash scripts/servers.sh start

servers-stop:
	@bash scripts/servers.sh stop

servers-status:
	@bash scripts/servers.sh status

clean:
	rm -rf .build
