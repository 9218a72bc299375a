# devpi-server (offline, on 127.0.0.1) for the live PyPI lookups of
# crates/depproof/tests/live_pypi.rs; devpi-client uploads the packages the test builds.
devpi="$tools/devpi"
if [ ! -x "$devpi/bin/devpi-server" ] || [ ! -x "$devpi/bin/devpi" ]; then
  python3 -m venv "$devpi"
  "$devpi/bin/pip" install --quiet --disable-pip-version-check \
    devpi-server==6.19.1 devpi-client==7.2.0
fi
export DEPPROOF_DEVPI="$devpi/bin"
