#!/usr/bin/env bash
# The PWA's browser tests (mobile-api/web) on a Debian machine, and its asset build.
#
#   deploy/local/e2e.sh          setup, then run
#   deploy/local/e2e.sh setup    install Debian's Chromium (apt) and the npm packages (npm ci)
#   deploy/local/e2e.sh run      run TestE2E: a fresh Wijkwerk on PostGIS (pg.sh) and the
#                                node --test files in mobile-api/web/e2e, driving Chromium
#                                through playwright-core; screenshots, axe reports and
#                                perf.json land in mobile-api/web/e2e/artifacts/
#   deploy/local/e2e.sh build    rebuild mobile-api/web/dist from mobile-api/web/ui
#                                (npm ci, npm run build); commit dist/ afterwards
#   deploy/local/e2e.sh screenshots
#                                copy the README's screenshots from the last run's
#                                artifacts to docs/screenshots/
#
# Playwright's own browser download does not work here (closed network); the tests use
# /usr/bin/chromium, or WIJKWERK_CHROMIUM. Idempotent: what is installed stays.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
ui="$root/mobile-api/web/ui"
GO=${GO:-go}

log() { printf 'e2e.sh: %s\n' "$*" >&2; }

need_node() {
	if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
		log "Node.js 20 and npm are needed (apt-get install -y nodejs npm, or nodejs.org)"
		exit 1
	fi
	local major
	major=$(node -p 'process.versions.node.split(".")[0]')
	if [ "$major" -lt 20 ]; then
		log "Node.js $(node --version) is too old: the tests need 20 or later"
		exit 1
	fi
}

npm_packages() {
	need_node
	if [ -d "$ui/node_modules/playwright-core" ] && [ "$ui/node_modules/.package-lock.json" -nt "$ui/package-lock.json" ]; then
		return
	fi
	log "npm ci in mobile-api/web/ui"
	(cd "$ui" && npm ci --no-audit --no-fund >&2)
}

chromium() {
	local bin=${WIJKWERK_CHROMIUM:-/usr/bin/chromium}
	if [ -x "$bin" ]; then
		return
	fi
	if [ "$(id -u)" != 0 ]; then
		log "Chromium is missing. Install it once with: sudo apt-get install -y chromium fonts-dejavu-core"
		exit 1
	fi
	log "installing chromium (Debian package)"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >&2
	apt-get install -y -qq chromium fonts-dejavu-core >&2
}

run() {
	local url="${WIJKWERK_TEST_DATABASE_URL:-}"
	if [ -z "$url" ]; then
		url=$("$root/deploy/local/pg.sh" start wijkwerk_test)
	fi
	cd "$root"
	WIJKWERK_TEST_DATABASE_URL="$url" WIJKWERK_E2E=1 \
		$GO test -count=1 -timeout 20m -run '^TestE2E$' -v ./mobile-api/web/
}

# The screenshots the README shows, from mobile-api/web/e2e/artifacts.
SCREENSHOTS=(resident-1-start resident-3-confirmation crew-2-list-top crew-4-offline-queued desk-2-board-top)

screenshots() {
	local from="$root/mobile-api/web/e2e/artifacts" to="$root/docs/screenshots"
	mkdir -p "$to"
	for s in "${SCREENSHOTS[@]}"; do
		if [ ! -f "$from/$s.png" ]; then
			log "no $s.png in $from: run the browser tests first"
			exit 1
		fi
		cp "$from/$s.png" "$to/$s.png"
	done
	log "copied ${#SCREENSHOTS[@]} screenshots to docs/screenshots/"
}

case "${1:-all}" in
setup)
	chromium
	npm_packages
	;;
run)
	run
	;;
build)
	npm_packages
	(cd "$ui" && npm run --silent build)
	;;
screenshots)
	screenshots
	;;
all)
	chromium
	npm_packages
	run
	;;
*)
	echo "usage: $0 [setup | run | build | screenshots]" >&2
	exit 2
	;;
esac
