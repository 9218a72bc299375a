# npm's own name validator, run by tests/npm_name_oracle.rs as the reference.
oracle="$tools/npm-oracle"
if [ ! -f "$oracle/node_modules/validate-npm-package-name/package.json" ]; then
  mkdir -p "$oracle"
  npm install --prefix "$oracle" --no-audit --no-fund --silent validate-npm-package-name@6.0.2
fi
export DEPPROOF_NPM_ORACLE_DIR="$oracle"
