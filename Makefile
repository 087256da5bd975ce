# Two commands on a fresh machine: `make run` and `make test`. Both install what they need.
UV := python3 -m uv
N ?= 200

.PHONY: setup browser test-tools run test lint check screenshots bench bench-store bench-latency bench-estimates bench-api bench-parser soak asyncapi golden clean images test-containers web-vendor

setup:
	@python3 -m uv --version >/dev/null 2>&1 || python3 -m pip install --quiet "uv>=0.9" || \
		python3 -m pip install --quiet --user "uv>=0.9"  # an ordinary user, without sudo
	@$(UV) sync --frozen --quiet

test-tools:  ## test tools from Debian: kubectl renders deploy/k8s; a PostgreSQL built with TLS
	@command -v kubectl >/dev/null || (apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq kubectl)
	@ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || (apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql)

browser:  ## Debian's chromium, which the web page's tests drive (never a downloaded one)
	@command -v chromium >/dev/null || (apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium)

run: setup  ## the whole pipeline: broker, PostgreSQL, four services, inbox ./inbox, API :8000
	$(UV) run --frozen findings up

lint: setup
	$(UV) run --frozen ruff check .
	$(UV) run --frozen ruff format --check .
	$(UV) run --frozen mypy

test: lint browser test-tools  ## lint, type-check, then every test (unit, integration, end-to-end)
	$(UV) run --frozen pytest

D3_VERSION := 7.9.0
web-vendor:  ## d3 from the npm registry into the API package (served from it: no CDN)
	rm -rf .artifacts/npm && mkdir -p .artifacts/npm
	cd .artifacts/npm && npm pack --silent d3@$(D3_VERSION) >/dev/null && tar xzf d3-$(D3_VERSION).tgz
	cp .artifacts/npm/package/dist/d3.min.js services/api/src/findings_api/web/vendor/d3.min.js
	cp .artifacts/npm/package/LICENSE services/api/src/findings_api/web/vendor/d3.LICENSE
	sha256sum services/api/src/findings_api/web/vendor/d3.min.js

screenshots: setup browser  ## the web page's browser tests, then their screenshots into docs/img
	$(UV) run --frozen pytest -q tests/api/test_web_page.py
	for shot in home authority search report themes phone-authorities; do \
		cp .artifacts/screenshots/$$shot.png docs/img/web-$$shot.png || exit 1; \
	done

images:  ## the four service images (docker build; needs a Docker engine)
	for service in ingest parse store api; do \
		docker build -t findings-$$service:dev --build-arg SERVICE=$$service \
			$(if $(PYTHON_IMAGE),--build-arg PYTHON_IMAGE=$(PYTHON_IMAGE)) . || exit 1; \
	done

test-containers: setup  ## the containers tier: service images against Kafka/PostgreSQL/S3 containers
	$(UV) run --frozen pytest -m containers tests/containers

bench: setup  ## N unique reports through the embedded stack
	$(UV) run --frozen python -m benchmarks.pipeline --reports $(N)

bench-store: setup  ## store alone: N parsed events applied in store's batches, CPU per 1,000
	$(UV) run --frozen python -m benchmarks.store_apply --reports $(N)

bench-latency: setup  ## one file every 2 s, default settings: drop-to-API latency (20 ms grain)
	$(UV) run --frozen python -m benchmarks.pipeline --reports 30 --rate 0.5 --default-settings --api-poll-s 0.02

soak: setup  ## N unique reports under random kills and broker restarts (SEED=… replays)
	$(UV) run --frozen findings soak --reports $(N) $(if $(SEED),--seed $(SEED))

bench-estimates: setup  ## a search's estimated facets against its exact ones, on a database bench-api kept (DB=path)
	$(UV) run --frozen python -m benchmarks.facet_estimates --keep $(DB)

bench-api: setup  ## load on the API with wrk (apt-get install wrk), N reports stored
	@command -v wrk >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk)
	$(UV) run --frozen python -m benchmarks.api_load --reports $(if $(filter 200,$(N)),2000,$(N))

bench-parser: setup
	$(UV) run --frozen python -m benchmarks.parser

asyncapi: setup
	$(UV) run --frozen python -m findings_shared.asyncapi > docs/asyncapi.json

golden: setup  ## regenerate the parser's golden files; review the diff before committing
	$(UV) run --frozen python -m tests.golden

clean:
	rm -rf .findings inbox .pytest_cache .mypy_cache .ruff_cache
