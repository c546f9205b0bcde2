#!/usr/bin/env bash
# Every test of the lab: system packages, npm packages, typecheck, unit tests (Vitest, Node +
# Dawn/SwiftShader) and browser tests (Playwright driving Debian's Chromium with WebGPU).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

started=$SECONDS
reports=.cache/test-reports
step="setup"
timings=()

finish() {
  local rc=$?
  local total=$((SECONDS - started))
  if [ "$rc" -eq 0 ]; then
    echo "test.sh: PASS (${timings[*]}; total ${total}s)"
  else
    echo "test.sh: FAIL in ${step} (exit ${rc}; ${timings[*]:-nothing finished}; total ${total}s)"
  fi
  [ -n "${xdg_dir:-}" ] && rm -rf "$xdg_dir"
  node scripts/test-summary.mjs "$reports/vitest.json" "$reports/playwright.json" || true
  return "$rc"
}
trap finish EXIT

run_step() {
  step=$1
  shift
  local t0=$SECONDS
  echo "== ${step}: $*"
  "$@"
  timings+=("${step} $((SECONDS - t0))s")
}

has_libvulkan() {
  { /sbin/ldconfig -p 2>/dev/null || ldconfig -p 2>/dev/null || true; } | grep -q 'libvulkan\.so\.1' && return 0
  compgen -G '/usr/lib/*/libvulkan.so.1' >/dev/null || compgen -G '/lib/*/libvulkan.so.1' >/dev/null
}

install_system_packages() {
  local missing=()
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  has_libvulkan || missing+=(libvulkan1)
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  echo "installing ${missing[*]} with apt-get"
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
}

install_node_packages() {
  # npm ci rewrites node_modules/.package-lock.json, so its age tells whether the install is current.
  if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    # package.json's allowScripts denies onnxruntime-node's install script (it downloads CUDA
    # binaries nothing here uses, and fails offline); npm before 11.16 ignores allowScripts, and
    # the script itself honours this variable.
    ONNXRUNTIME_NODE_INSTALL=skip npm ci --no-audit --no-fund
  fi
}

# Chromium warns on every launch without a private runtime dir.
xdg_dir=$(mktemp -d)
chmod 700 "$xdg_dir"
export XDG_RUNTIME_DIR=$xdg_dir

run_step "system packages" install_system_packages
run_step "npm packages" install_node_packages
run_step "typecheck" npx tsc --noEmit -p .
# JSON reports feed the closing "N passed, N failed" line (test-results/ is wiped by Playwright).
rm -rf "$reports"
mkdir -p "$reports"
run_step "unit tests" npx vitest run --reporter=default --reporter=json --outputFile.json="$reports/vitest.json"
run_step "browser tests" env PLAYWRIGHT_JSON_OUTPUT_NAME="$reports/playwright.json" npx playwright test --reporter=list,json
step="done"
