# Clinic Desktop — `make run` to start the app, `make test` to run the tests.
# Both set everything up first (system packages, .venv, generated forms) and are quick when nothing
# changed; `make test` also installs the tools the tests use (test-deps).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
STAMP  := $(VENV)/.installed

UI_FILES := $(wildcard ui/*.ui)
FORMS    := $(patsubst ui/%.ui,clinic_desktop/gui/forms/ui_%.py,$(UI_FILES))
QRC      := resources/resources.qrc
RC_PY    := clinic_desktop/gui/resources_rc.py
RC_FILES := $(shell find resources/icons resources/styles -type f 2>/dev/null)

# Debian/Ubuntu package names. Qt's xcb platform plugin and offscreen rendering need these,
# and Debian's Python needs its venv package to make .venv (only asked for when it is missing).
SYSTEM_PACKAGES := libegl1 libgl1 libfontconfig1 libxkbcommon0 libxkbcommon-x11-0 libdbus-1-3 \
	libglib2.0-0 libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 \
	libxcb-render-util0 libxcb-shape0 libxcb-xkb1 \
	$(shell test -x $(PY) || $(PYTHON) -c 'import ensurepip' 2>/dev/null || echo $(notdir $(PYTHON))-venv)
# The tests read the PDFs with poppler (pdftotext, pdftoppm, pdffonts) and start a throw-away
# PostgreSQL server of their own (tests/pg_server.py) unless CLINIC_TEST_PG names one.
TEST_PACKAGES := poppler-utils $(if $(CLINIC_TEST_PG),,postgresql)
# PyInstaller reads the binaries' dependencies with objdump.
BUNDLE_PACKAGES := binutils
# make soak starts a throw-away PostgreSQL server of its own (tests/pg_server.py), always.
SOAK_PACKAGES := postgresql
# make screenshots runs the app on a virtual screen and turns the printed plan into PNGs.
SCREENSHOT_PACKAGES := xvfb xauth poppler-utils

# $(call apt-ensure,PACKAGES): root installs whichever of these Debian packages are missing with
# apt-get; anyone else gets the one `sudo apt-get install` line to run, and make stops. Quick when
# none is missing.
apt-ensure = @if ! command -v dpkg-query >/dev/null 2>&1; then \
		echo "Not a Debian-like system: make sure these (Debian names) are installed: $(strip $(1))"; exit 0; fi; \
	missing=""; for p in $(sort $(1)); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = "0" ]; then \
			echo "Installing system packages:$$missing"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
		else \
			echo "System packages are missing. Run:"; \
			echo "  sudo apt-get install -y$$missing"; exit 1; \
		fi; \
	fi

# system-deps installs what the goal needs in one go (one apt-get, one sudo line): `make run` only
# Qt's libraries; `make test`, `bundle` and `screenshots` add theirs (a target's variables reach
# its prerequisites). Their own -deps targets check again, for goals given together.
SYSTEM_DEPS = $(SYSTEM_PACKAGES)
test test-deps: SYSTEM_DEPS += $(TEST_PACKAGES)
soak soak-deps: SYSTEM_DEPS += $(SOAK_PACKAGES)
bundle bundle-deps: SYSTEM_DEPS += $(BUNDLE_PACKAGES)
screenshots screenshot-deps: SYSTEM_DEPS += $(SCREENSHOT_PACKAGES)

.PHONY: install run test forms system-deps test-deps bundle-deps screenshot-deps bench bundle \
	check-bundle deb wheel screenshots clean torture soak soak-deps

install: system-deps $(STAMP) forms

run: install
	$(PY) -m clinic_desktop $(ARGS)

test: test-deps install
	$(BIN)/lint-imports --no-cache
	$(BIN)/ruff check clinic_desktop tests benchmarks
	$(BIN)/mypy
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest $(PYTEST_ARGS)

system-deps:
	$(call apt-ensure,$(SYSTEM_DEPS))

test-deps: system-deps
	$(call apt-ensure,$(TEST_PACKAGES))

bundle-deps: system-deps
	$(call apt-ensure,$(BUNDLE_PACKAGES))

soak-deps: system-deps
	$(call apt-ensure,$(SOAK_PACKAGES))

screenshot-deps: system-deps
	$(call apt-ensure,$(SCREENSHOT_PACKAGES))

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	touch $(STAMP)

forms: $(FORMS) $(if $(wildcard $(QRC)),$(RC_PY))

clinic_desktop/gui/forms/ui_%.py: ui/%.ui | $(STAMP)
	$(BIN)/pyside6-uic --from-imports $< -o $@

$(RC_PY): $(QRC) $(RC_FILES) | $(STAMP)
	$(BIN)/pyside6-rcc --format-version 1 $(QRC) -o $@

bench: install
	QT_QPA_PLATFORM=offscreen $(PY) benchmarks/run.py

# The kill test on an encrypted database, 200 rounds (every test run does 3): a writer killed
# with SIGKILL mid-write each round; nothing committed lost, integrity and audit chain verified.
torture: test-deps install
	CLINIC_TORTURE_ROUNDS=200 QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q -p no:cacheprovider \
		tests/core/test_encrypted_kill.py

# The soak (benchmarks/soak.py): SOAK_WORKERS workstations, one process each, on a throw-away
# PostgreSQL for SOAK_MINUTES; then nothing lost, no dose limit passed, the audit chain intact and
# p95 of a save and of a census refresh against their goals. CI runs `make soak SOAK_MINUTES=2`.
SOAK_WORKERS ?= 20
SOAK_MINUTES ?= 10
SOAK_ARGS ?=

soak: soak-deps install
	QT_QPA_PLATFORM=offscreen $(PY) benchmarks/soak.py --workers $(SOAK_WORKERS) --minutes $(SOAK_MINUTES) $(SOAK_ARGS)

# The one-folder bundle dist/clinic-desktop (build_installer.spec); `make check-bundle` checks it
# (at most 200 MB, no unused Qt, self-check and sign-in window from the bundle).
BUNDLE_DIR := dist/clinic-desktop

bundle: bundle-deps install
	$(PY) -m pip install --quiet -e ".[bundle]"
	$(BIN)/pyinstaller --noconfirm --clean build_installer.spec
	@du -sh $(BUNDLE_DIR)

check-bundle: install
	CLINIC_DESKTOP_BUNDLE=$(BUNDLE_DIR) QT_QPA_PLATFORM=offscreen $(PY) -m pytest -m bundle tests/test_bundle.py

# The Debian package, from the bundle (built first if missing: `make bundle deb` rebuilds both).
# /opt/clinic-desktop, /usr/bin/clinic-desktop, desktop entry, hicolor icons and AppStream metadata
# from resources/packaging/linux/. Depends: the system libraries the bundle takes from the system
# (SYSTEM_PACKAGES and libcups2 for printing, see build_installer.spec).
VERSION     = $(shell sed -n 's/^__version__ = "\(.*\)"/\1/p' clinic_desktop/__init__.py)
DEB_VERSION = $(shell echo '$(VERSION)' | sed -E 's/[.]?(a|b|rc|dev)([0-9]*)$$/~\1\2/')
DEB_ARCH    = $(shell dpkg --print-architecture 2>/dev/null || echo amd64)
DEB         = dist/clinic-desktop_$(DEB_VERSION)_$(DEB_ARCH).deb
DEB_ROOT    := build/deb/root
DEB_DEPENDS = $(shell echo $(SYSTEM_PACKAGES) libcups2 | sed 's/ /, /g')
DESKTOP_ID  := org.clinicdesktop.ClinicDesktop
LINUX_PKG   := resources/packaging/linux

deb: install
	command -v dpkg-deb >/dev/null || (echo "make deb needs dpkg-deb (Debian or Ubuntu)"; exit 1)
	test -x $(BUNDLE_DIR)/clinic-desktop || $(MAKE) bundle
	rm -rf $(DEB_ROOT) && mkdir -p $(DEB_ROOT)/DEBIAN $(DEB_ROOT)/opt $(DEB_ROOT)/usr/bin \
		$(DEB_ROOT)/usr/share/applications $(DEB_ROOT)/usr/share/metainfo \
		$(DEB_ROOT)/usr/share/icons/hicolor/scalable/apps $(DEB_ROOT)/usr/share/doc/clinic-desktop
	cp -a $(BUNDLE_DIR) $(DEB_ROOT)/opt/clinic-desktop
	ln -s /opt/clinic-desktop/clinic-desktop $(DEB_ROOT)/usr/bin/clinic-desktop
	cp $(LINUX_PKG)/$(DESKTOP_ID).desktop $(DEB_ROOT)/usr/share/applications/
	sed -e 's/@VERSION@/$(VERSION)/' -e "s/@DATE@/$$(git log -1 --format=%cs 2>/dev/null || date -u +%F)/" \
		$(LINUX_PKG)/$(DESKTOP_ID).metainfo.xml > $(DEB_ROOT)/usr/share/metainfo/$(DESKTOP_ID).metainfo.xml
	$(PY) -m clinic_desktop.gui.icon_set build/icons
	cp build/icons/clinic-desktop.svg $(DEB_ROOT)/usr/share/icons/hicolor/scalable/apps/
	for d in build/icons/*x*/; do s=$$(basename $$d); mkdir -p $(DEB_ROOT)/usr/share/icons/hicolor/$$s/apps; \
		cp $$d/clinic-desktop.png $(DEB_ROOT)/usr/share/icons/hicolor/$$s/apps/; done
	cp $(LINUX_PKG)/copyright $(DEB_ROOT)/usr/share/doc/clinic-desktop/
	sed -e 's/@VERSION@/$(DEB_VERSION)/' -e 's/@ARCH@/$(DEB_ARCH)/' -e 's/@DEPENDS@/$(DEB_DEPENDS)/' \
		-e "s/@INSTALLED_SIZE@/$$(du -sk --exclude=DEBIAN $(DEB_ROOT) | cut -f1)/" \
		$(LINUX_PKG)/control > $(DEB_ROOT)/DEBIAN/control
	chmod -R u+rwX,go+rX,go-w $(DEB_ROOT)
	mkdir -p dist && dpkg-deb --build --root-owner-group $(DEB_ROOT) $(DEB)
	@ls -lh $(DEB)

# A wheel carries the shipped files inside the package (clinic_desktop/_shipped/), where paths.py looks.
wheel: install
	rm -rf clinic_desktop/_shipped && mkdir -p clinic_desktop/_shipped
	cp -r resources ui clinic_desktop/_shipped/
	$(PY) -m pip wheel --quiet --no-deps -w dist . || (rm -rf clinic_desktop/_shipped; exit 1)
	rm -rf clinic_desktop/_shipped build

# The user manual (resources/manual/) shows copies of some of them: refreshed here too.
screenshots: screenshot-deps install
	xvfb-run -a -s "-screen 0 1366x768x24" $(PY) -m tests.screenshots docs/screenshots
	xvfb-run -a -s "-screen 0 1366x768x24" $(PY) -m tests.screenshots --theme dark docs/screenshots/dark
	for f in resources/manual/images/*.png; do cp docs/screenshots/$$(basename $$f) $$f; done

clean:
	rm -rf build dist .pytest_cache
