# hcallscope top-level build.
#
#   make                 BPF objects, skeletons and tools for this machine
#   make ARCH=ppc64le    the same, cross-built for POWER (static)
#   make demo            the main job: trace the built-in load, print the table
#   make test            every test; ends with "N passed, N failed"
#   make bench           overhead benchmark (figures go to results/)
#   make bench-iperf     the seed's scenario on emulated POWER8: iperf3 per
#                        acceleration level, results/<run-id>/ + dashboard
#   make deps            install the Debian packages (done by demo/test too)
#   make install         tools, BTF files, man pages, completion, service, docs
#                        under PREFIX (default /usr/local; DESTDIR for staging)
#   make uninstall       remove what make install put there
#   make deb             Debian packages hcallscope_*_amd64.deb and _ppc64el.deb
#                        (dpkg-buildpackage on a copy of the tree) in build/deb/
#   make kernel-deb      the patched POWER8 host kernel as Debian packages
#                        (bindeb-pkg, cross-built) in build/kernel-deb/:
#                        KERNEL_CONFIG=debian (Debian's powerpc64le flavour
#                        config, default; hours), testbed (the emulated
#                        testbed's, from the cached build: minutes) or a
#                        config file (a host's /boot/config-*)

HOST_ARCH := $(shell uname -m)
ARCH ?= $(HOST_ARCH)
BPF_ARCH_x86_64 := x86
BPF_ARCH_ppc64le := powerpc
BPF_ARCH := $(BPF_ARCH_$(ARCH))
ifeq ($(BPF_ARCH),)
$(error unsupported ARCH '$(ARCH)' (x86_64 or ppc64le))
endif

OUT := build/$(ARCH)
CLANG ?= clang-19
BPFTOOL ?= bpftool
CFLAGS ?= -O2 -g
CFLAGS += -std=gnu11 -Wall -Wextra -D_GNU_SOURCE
INCLUDES := -Ibpf -Itools/lib -I$(OUT)

ifeq ($(ARCH),$(HOST_ARCH))
CC ?= gcc
LIBBPF_LIBS := $(shell pkg-config --libs libbpf 2>/dev/null || echo -lbpf -lelf -lz)
# --web-config: TLS (OpenSSL), bcrypt (libcrypt), the YAML file (libyaml)
WEB_LIBS := -lssl -lcrypto -lcrypt -lyaml
else
CC := powerpc64le-linux-gnu-gcc
SYSROOT ?= /var/cache/hcallscope/ppc64el-sysroot
INCLUDES += -isystem $(SYSROOT)/usr/include -isystem $(SYSROOT)/usr/include/powerpc64le-linux-gnu
LDFLAGS += -static -L$(SYSROOT)/usr/lib/powerpc64le-linux-gnu
LIBBPF_LIBS := -lbpf -lelf -lz -lzstd
WEB_LIBS := -lssl -lcrypto -lcrypt -lyaml -ldl
SYSROOT_DEP := $(SYSROOT)/.complete
endif

# Install paths (FHS).  The BTF directory is compiled into hcallstat
# ($(OUT)/paths.h, remade when it changes), so build and install with the
# same PREFIX; the build tree's bpf/btf/ stays a fallback.
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
SBINDIR ?= $(PREFIX)/sbin
LIBDIR ?= $(PREFIX)/lib
BTFDIR ?= $(LIBDIR)/hcallscope/btf
MANDIR ?= $(PREFIX)/share/man
DOCDIR ?= $(PREFIX)/share/doc/hcallscope
COMPLETIONDIR ?= $(PREFIX)/share/bash-completion/completions
UNITDIR ?= $(LIBDIR)/systemd/system
SYSCONFDIR ?= /etc

BPF_CFLAGS := -g -O2 -target bpf -mcpu=v3 -D__TARGET_ARCH_$(BPF_ARCH) \
	-Ibpf -Ibpf/vmlinux/$(BPF_ARCH) -Wall -Wno-unused-function

LIB_SRCS := tools/lib/names.c tools/lib/export.c tools/lib/json.c tools/lib/rows.c \
	tools/lib/atomicfile.c
STAT_SRCS := $(wildcard tools/hcallstat/*.c)
LOAD_SRCS := tools/hcall-load/hcall-load.c \
	$(if $(filter x86,$(BPF_ARCH)),tools/hcall-load/x86.c,tools/hcall-load/power.c tools/hcall-load/fuzz.c \
		tools/hcall-load/meddle.c)

TOOLS := $(OUT)/hcallstat $(OUT)/hcall-load
# test helpers for the emulated POWER host (tests/t-kernel*.sh)
TOOLS += $(if $(filter powerpc,$(BPF_ARCH)),$(OUT)/vfio-claim $(OUT)/kvm-tce-attach)

# keep the BPF objects: min_core_btf and the tests read them
.SECONDARY:

.PHONY: all tools units load deps demo test test-unit test-live bench bench-iperf clean vmlinux \
	install uninstall deb kernel-deb FORCE
# unit tests run here only: the cross build stops at the tools
all: tools $(if $(filter $(ARCH),$(HOST_ARCH)),units)
tools: $(TOOLS)
load: $(OUT)/hcall-load

$(OUT):
	mkdir -p $@

$(OUT)/%.bpf.o: bpf/%.bpf.c bpf/*.bpf.h bpf/hcallscope.h bpf/hcalls.def \
		bpf/vmlinux/$(BPF_ARCH)/vmlinux.h | $(OUT)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(OUT)/%.skel.h: $(OUT)/%.bpf.o
	$(BPFTOOL) gen skeleton $< > $@.tmp && mv $@.tmp $@

$(SYSROOT)/.complete: scripts/ppc64el-sysroot.sh
	scripts/ppc64el-sysroot.sh > /dev/null

$(OUT)/hcallstat: $(STAT_SRCS) tools/hcallstat/*.h $(OUT)/hcallstat.skel.h $(LIB_SRCS) \
		$(OUT)/paths.h tools/lib/*.h bpf/hcallscope.h bpf/hcalls.def $(SYSROOT_DEP)
	$(CC) $(CFLAGS) $(INCLUDES) -Itools/hcallstat -o $@ $(STAT_SRCS) $(LIB_SRCS) \
		$(LDFLAGS) $(LIBBPF_LIBS) $(WEB_LIBS) -lpthread

# the one home of the installed BTF directory's path; rewritten only when
# it changes, so a different PREFIX rebuilds hcallstat and nothing else does
$(OUT)/paths.h: FORCE | $(OUT)
	@printf '#define HS_BTF_DIR "%s"\n' '$(BTFDIR)' > $@.tmp
	@if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; fi

FORCE:

$(OUT)/hcall-load: $(LOAD_SRCS) tools/hcall-load/*.h $(LIB_SRCS) \
		tools/lib/names.h bpf/hcallscope.h bpf/hcalls.def | $(OUT)
	$(CC) $(CFLAGS) $(INCLUDES) -o $@ $(LOAD_SRCS) $(LIB_SRCS) \
		$(LDFLAGS) -lpthread

$(OUT)/vfio-claim: tests/helpers/vfio-claim.c | $(OUT)
	$(CC) $(CFLAGS) -o $@ $< $(LDFLAGS)

$(OUT)/kvm-tce-attach: tests/helpers/kvm-tce-attach.c | $(OUT)
	$(CC) $(CFLAGS) $(INCLUDES) -o $@ $< $(LDFLAGS)

# C unit tests of the pure logic (tests/run.sh runs every build/ARCH/test-*)
UNIT_TESTS := $(patsubst tests/unit/%.c,$(OUT)/%,$(wildcard tests/unit/test-*.c))
units: $(UNIT_TESTS)

$(OUT)/test-%: tests/unit/test-%.c $(LIB_SRCS) tools/lib/*.h bpf/hcallscope.h \
		bpf/hcalls.def tests/unit/assert.h | $(OUT)
	$(CC) $(CFLAGS) $(INCLUDES) -Itests/unit -Itools/hcallstat -o $@ $< $(LIB_SRCS) $(UNIT_EXTRA)

# hcallstat's own pure parts
$(OUT)/test-args: UNIT_EXTRA = tools/hcallstat/args.c
$(OUT)/test-args: tools/hcallstat/args.c tools/hcallstat/hcallstat.h
$(OUT)/test-webconfig: UNIT_EXTRA = tools/hcallstat/webconfig.c -lcrypt -lyaml
$(OUT)/test-webconfig: tools/hcallstat/webconfig.c tools/hcallstat/webconfig.h
$(OUT)/test-follow: UNIT_EXTRA = tools/hcallstat/follow.c
$(OUT)/test-follow: tools/hcallstat/follow.c tools/hcallstat/hcallstat.h $(OUT)/hcallstat.skel.h
# the guest's latency pairing, built for this machine and test-run here
$(OUT)/guest-stack.bpf.o: tests/unit/guest-stack.bpf.c bpf/*.bpf.h bpf/hcallscope.h bpf/hcalls.def \
		bpf/vmlinux/$(BPF_ARCH)/vmlinux.h | $(OUT)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@
$(OUT)/test-guest-stack: UNIT_EXTRA = $(LIBBPF_LIBS)
$(OUT)/test-guest-stack: $(OUT)/guest-stack.skel.h

deps:
	@scripts/deps.sh

demo: deps
	@$(MAKE) --no-print-directory tools
	@scripts/demo.sh

test: deps
	@$(MAKE) --no-print-directory tools units
	@$(MAKE) --no-print-directory ARCH=ppc64le tools
	@tests/run.sh

bench: deps
	@$(MAKE) --no-print-directory tools
	@bench/overhead.sh

bench-iperf: deps
	@bench/emulated.sh $(BENCH_ARGS)
	@bench/dashboard.sh

# What make install puts where (DESTDIR-relative); uninstall removes the same.
MAN8 := dist/man/hcallstat.8
MAN1 := dist/man/hcall-load.1 dist/man/hcallscope-compare.1
DOCS := README.md docs/hcallstat-json.md docs/bench-results.md
BTFS := $(wildcard bpf/btf/*.btf)
ENVFILE := $(SYSCONFDIR)/default/hcallstat-exporter

install: tools
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(SBINDIR) $(DESTDIR)$(BTFDIR) \
		$(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(DOCDIR) \
		$(DESTDIR)$(COMPLETIONDIR) $(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSCONFDIR)/default
	install -m 755 $(OUT)/hcallstat $(DESTDIR)$(SBINDIR)/hcallstat
	install -m 755 $(OUT)/hcall-load $(DESTDIR)$(BINDIR)/hcall-load
	install -m 755 bench/compare.sh $(DESTDIR)$(BINDIR)/hcallscope-compare
	@# its jq module, where it looks for it: BINDIR/../lib/hcallscope
	install -m 644 bench/compare.jq $(DESTDIR)$(LIBDIR)/hcallscope/compare.jq
	install -m 644 $(BTFS) $(DESTDIR)$(BTFDIR)/
	install -m 644 $(DOCS) $(DESTDIR)$(DOCDIR)/
	install -m 644 $(MAN1) $(DESTDIR)$(MANDIR)/man1/
	install -m 644 $(MAN8) $(DESTDIR)$(MANDIR)/man8/
	install -m 644 dist/completion/hcallstat $(DESTDIR)$(COMPLETIONDIR)/hcallstat
	ln -sf hcallstat $(DESTDIR)$(COMPLETIONDIR)/hcall-load
	sed 's|@SBINDIR@|$(SBINDIR)|g; s|@ENVFILE@|$(ENVFILE)|g' \
		dist/systemd/hcallstat-exporter.service.in > $(DESTDIR)$(UNITDIR)/hcallstat-exporter.service.tmp
	chmod 644 $(DESTDIR)$(UNITDIR)/hcallstat-exporter.service.tmp
	mv $(DESTDIR)$(UNITDIR)/hcallstat-exporter.service.tmp $(DESTDIR)$(UNITDIR)/hcallstat-exporter.service
	@# the environment file is configuration: an edited one is kept
	[ -e $(DESTDIR)$(ENVFILE) ] || install -m 644 dist/systemd/hcallstat-exporter.default $(DESTDIR)$(ENVFILE)

uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/hcallstat $(DESTDIR)$(BINDIR)/hcall-load \
		$(DESTDIR)$(BINDIR)/hcallscope-compare $(DESTDIR)$(LIBDIR)/hcallscope/compare.jq \
		$(addprefix $(DESTDIR)$(BTFDIR)/,$(notdir $(BTFS))) \
		$(addprefix $(DESTDIR)$(MANDIR)/man1/,$(notdir $(MAN1))) \
		$(DESTDIR)$(MANDIR)/man8/$(notdir $(MAN8)) \
		$(addprefix $(DESTDIR)$(DOCDIR)/,$(notdir $(DOCS))) \
		$(DESTDIR)$(COMPLETIONDIR)/hcallstat $(DESTDIR)$(COMPLETIONDIR)/hcall-load \
		$(DESTDIR)$(UNITDIR)/hcallstat-exporter.service
	@# the environment file goes only when it is still the shipped one
	if cmp -s dist/systemd/hcallstat-exporter.default $(DESTDIR)$(ENVFILE); then \
		rm -f $(DESTDIR)$(ENVFILE); \
	elif [ -e $(DESTDIR)$(ENVFILE) ]; then echo "uninstall: kept $(ENVFILE) (edited)"; fi
	-rmdir $(DESTDIR)$(BTFDIR) $(DESTDIR)$(LIBDIR)/hcallscope $(DESTDIR)$(DOCDIR) 2> /dev/null

# Debian packages, built the Debian way (debian/, dpkg-buildpackage) from a
# copy of the tree without build/ and .git; lintian must report no error.
# ppc64el is cross-built (the Makefile's static build: no build-deps of
# that architecture to check, hence -d).
DEB_VERSION = $(shell dpkg-parsechangelog -l debian/changelog -S Version)
DEB_DIR ?= build/deb
DEB_SRC = $(DEB_DIR)/hcallscope-$(DEB_VERSION)
deb:
	@scripts/deps.sh build deb
	rm -rf $(DEB_DIR) && mkdir -p $(DEB_SRC)
	tar --exclude=./build --exclude=./.git -cf - . | tar -xf - -C $(DEB_SRC)
	cd $(DEB_SRC) && dpkg-buildpackage -us -uc -b -aamd64 > ../build-amd64.log 2>&1 || \
		{ tail -20 ../build-amd64.log; exit 1; }
	cd $(DEB_SRC) && rm -rf build && dpkg-buildpackage -us -uc -b -appc64el -d \
		> ../build-ppc64el.log 2>&1 || { tail -20 ../build-ppc64el.log; exit 1; }
	cd $(DEB_DIR) && for d in hcallscope_$(DEB_VERSION)_*.deb; do \
		lintian --fail-on error $$d || exit 1; done
	@ls $(DEB_DIR)/*.deb

# The host kernel's packages: scripts/kernel-deb.sh (kernel-patch/LINE/
# through scripts/kernel-apply.sh, keyed by scripts/series-key.sh)
KERNEL_LINE ?= 6.1
KERNEL_CONFIG ?= debian
KERNEL_DEB_DIR ?= build/kernel-deb
kernel-deb:
	@scripts/deps.sh kernel deb
	@scripts/kernel-deb.sh -l $(KERNEL_LINE) -c $(KERNEL_CONFIG) -o $(KERNEL_DEB_DIR)

# Regenerate this machine's vmlinux.h (see scripts/gen-vmlinux-h.sh).
vmlinux:
	scripts/gen-vmlinux-h.sh $(BPF_ARCH)

clean:
	rm -rf build
