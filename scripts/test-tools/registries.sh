# Local package registries and real clients for the install guard's tests
# (crates/depproof/tests/guard*.rs, proxy*.rs): pypiserver, pip and uv in a venv,
# Verdaccio, and the few real packages the registries are loaded with, fetched here once
# so that the tests never reach the internet.
registries="$tools/registries"
if [ ! -f "$registries/.done-2" ]; then
  rm -rf "$registries"
  mkdir -p "$registries/pypi-packages" "$registries/npm-packages" "$registries/verdaccio"
  python3 -m venv "$registries/py"
  "$registries/py/bin/pip" install --quiet --disable-pip-version-check \
    pypiserver==2.4.2 uv==0.13.9
  # Small pure-Python wheels without dependencies.
  "$registries/py/bin/pip" download --quiet --disable-pip-version-check --no-deps \
    --only-binary :all: --dest "$registries/pypi-packages" six==1.17.0 idna==3.10
  # Verdaccio 6.8.0 runs on Node 20 only with node-fetch pinned to 2.7.0.
  cat > "$registries/verdaccio/package.json" <<'JSON'
{
  "name": "depproof-test-verdaccio",
  "private": true,
  "dependencies": { "verdaccio": "6.8.0" },
  "overrides": { "node-fetch": "2.7.0" }
}
JSON
  (cd "$registries/verdaccio" && npm install --no-audit --no-fund --silent)
  # Small npm packages without dependencies.
  (cd "$registries/npm-packages" && npm pack --silent is-number@7.0.0 ms@2.1.3 @types/ms@2.1.0 >/dev/null)
  touch "$registries/.done-2"
fi
export DEPPROOF_TEST_PYTHON="$registries/py/bin/python"
export DEPPROOF_TEST_PYPISERVER="$registries/py/bin/pypi-server"
export DEPPROOF_TEST_UV="$registries/py/bin/uv"
export DEPPROOF_TEST_VERDACCIO="$registries/verdaccio/node_modules/.bin/verdaccio"
export DEPPROOF_TEST_PYPI_PACKAGES="$registries/pypi-packages"
export DEPPROOF_TEST_NPM_PACKAGES="$registries/npm-packages"
