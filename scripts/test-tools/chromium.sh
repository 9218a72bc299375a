# Headless Chromium, run by crates/depproof/tests/study.rs to render the study report.
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get install -y --no-install-recommends chromium >/dev/null || { apt-get update >/dev/null && apt-get install -y --no-install-recommends chromium >/dev/null; }
  else
    sudo apt-get install -y --no-install-recommends chromium >/dev/null
  fi
fi
export DEPPROOF_CHROMIUM=/usr/bin/chromium
