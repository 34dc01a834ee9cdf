# Wijkwerk: the verbs a newcomer needs.
#   make run    provision PostgreSQL + PostGIS into ./.data, migrate, load the Doetinchem demo, serve
#               (with a fake FCM and a fake SMTP server, whose e-mails show in the log and at
#               http://127.0.0.1:8025/messages)
#   make test   the same provisioning into its own database, Chromium and the npm packages
#               for the browser tests, then every test
#   make bench  benchmarks, with figures for BENCHMARKS.md

SHELL := /bin/bash
PG := deploy/local/pg.sh
BIN := bin/wijkwerk
GO ?= go

.PHONY: run test bench lint build clean db-stop web e2e

build:
	$(GO) build -o $(BIN) ./backend/cmd/wijkwerk

run: build
	@set -euo pipefail; \
	url="$${WIJKWERK_DATABASE_URL:-$$($(PG) start wijkwerk)}"; \
	export WIJKWERK_DATABASE_URL="$$url"; \
	$(BIN) migrate; \
	$(BIN) seed-demo; \
	if [ -z "$${WIJKWERK_FCM_ENDPOINT+set}" ]; then \
		$(BIN) fake-fcm --addr 127.0.0.1:8089 & \
		export WIJKWERK_FCM_ENDPOINT=http://127.0.0.1:8089; \
	fi; \
	if [ -z "$${WIJKWERK_SMTP_URL+set}" ] && [ -z "$${WIJKWERK_SMTP_URL_FILE+set}" ]; then \
		$(BIN) fake-smtp --addr 127.0.0.1:2525 --http 127.0.0.1:8025 & \
		export WIJKWERK_SMTP_URL=smtp://127.0.0.1:2525; \
		export WIJKWERK_MAIL_FROM="$${WIJKWERK_MAIL_FROM:-Wijkwerk demo <noreply@wijkwerk.invalid>}"; \
	fi; \
	exec $(BIN) serve

test:
	@set -euo pipefail; \
	url="$${WIJKWERK_TEST_DATABASE_URL:-$$($(PG) start wijkwerk_test)}"; \
	export WIJKWERK_TEST_DATABASE_URL="$$url"; \
	deploy/local/e2e.sh setup; \
	export WIJKWERK_E2E=1; \
	$(GO) vet ./...; \
	$(GO) test -count=1 -timeout 20m ./...

bench:
	@set -euo pipefail; \
	url="$${WIJKWERK_TEST_DATABASE_URL:-$$($(PG) start wijkwerk_test)}"; \
	export WIJKWERK_TEST_DATABASE_URL="$$url"; \
	$(GO) test -run '^$$' -bench . -benchtime 2s ./...

lint:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || (gofmt -l $$(git ls-files '*.go'); exit 1)
	$(GO) vet ./...

db-stop:
	$(PG) stop

clean: db-stop
	rm -rf bin .data

web: ## rebuild the PWA's assets (mobile-api/web/dist) from mobile-api/web/ui with npm; commit dist/
	deploy/local/e2e.sh build

e2e: ## browser tests of the PWA in Debian's Chromium (installs chromium and the npm packages)
	deploy/local/e2e.sh
