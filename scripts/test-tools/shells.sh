# zsh and fish, in which crates/depproof/tests/guard_run.rs runs the `shell-init` functions.
if [ ! -x /usr/bin/zsh ] || [ ! -x /usr/bin/fish ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get install -y --no-install-recommends zsh fish >/dev/null || { apt-get update >/dev/null && apt-get install -y --no-install-recommends zsh fish >/dev/null; }
  else
    sudo apt-get install -y --no-install-recommends zsh fish >/dev/null
  fi
fi
export DEPPROOF_TEST_ZSH=/usr/bin/zsh
export DEPPROOF_TEST_FISH=/usr/bin/fish
