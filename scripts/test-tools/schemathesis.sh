# Schemathesis, which tests/serve_schemathesis.rs runs against `depproof serve` and the
# OpenAPI document it serves.
st_venv="$tools/schemathesis"
if [ ! -x "$st_venv/bin/schemathesis" ]; then
  python3 -m venv "$st_venv"
  "$st_venv/bin/pip" install --quiet --disable-pip-version-check schemathesis==4.32.5
fi
export DEPPROOF_SCHEMATHESIS="$st_venv/bin/schemathesis"
