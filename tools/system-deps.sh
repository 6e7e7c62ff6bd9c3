#!/bin/sh
# Install the Debian packages planpress needs, only those that are missing.
# Fonts (BIZ UD), Pango and HarfBuzz subsetting for WeasyPrint, poppler-utils and
# LibreOffice Writer for the tests that read the outputs back, python3-venv, and libgs-common
# for a generic CMYK press profile (the PDF/X-4 output intent when layouts/ has none).
# Chromium runs the web edition's browser tests (Playwright drives it) and the benchmark.
set -e
packages="fonts-morisawa-bizud-gothic fonts-morisawa-bizud-mincho fontconfig libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 poppler-utils libreoffice-writer-nogui libgs-common chromium"
missing=""
if command -v dpkg-query >/dev/null 2>&1; then
  for package in $packages; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing="$missing $package"
  done
else
  fc-list 2>/dev/null | grep -q "BIZ UD" || missing="$packages"
fi
python3 -c "import ensurepip, venv" 2>/dev/null || missing="$missing python3-venv"
[ -z "$missing" ] && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
  echo "planpress: 次のパッケージを入れてください（apt-get がないため自動で入れられません）:$missing" >&2
  echo "planpress: README の「apt-get のないマシンでは」を参照してください。" >&2
  exit 1
fi
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
echo "planpress: システムのパッケージを入れます:$missing" >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq $missing >/dev/null
