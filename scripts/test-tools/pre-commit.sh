# The real pre-commit, run by crates/depproof/tests/pre_commit.rs on a repository it builds.
precommit="$tools/pre-commit"
if [ ! -x "$precommit/bin/pre-commit" ]; then
  python3 -m venv "$precommit"
  "$precommit/bin/pip" install --quiet --disable-pip-version-check pre-commit==4.7.0
fi
export DEPPROOF_PRE_COMMIT="$precommit/bin/pre-commit"
