# pam_agentlink - top-level build.
#   make            build the module, its helper and the command, each in
#                   its folder under pam_agentlink/
#   make check      unit, module and end-to-end tests (as root: namespaces)
#   make install    what the Debian packages install, at the same places:
#                   the module, its helper agentlink-watch, the command
#                   agentlink, the manual pages, $(SYSCONFDIR)/profile.d/
#                   agentlink.sh and $(SYSCONFDIR)/security/agentlink.conf
#                   (never over an existing one); DESTDIR, PREFIX, BINDIR,
#                   PAMDIR, HELPERDIR, MANDIR, SYSCONFDIR, MULTIARCH override
#   make uninstall  removes what install installed (agentlink.conf only
#                   while it is the shipped one)

CC       ?= cc
CFLAGS   ?= -O2 -g
WERROR   ?= -Werror
WARNINGS  = -Wall -Wextra -Wformat=2 -Wshadow -Wpointer-arith \
            -Wstrict-prototypes -Wmissing-prototypes -Wno-format-nonliteral
CPPFLAGS += -D_GNU_SOURCE -I$(LIB)
ALL_CFLAGS = $(WARNINGS) $(WERROR) -fPIC $(CFLAGS)

# The architecture's triplet (x86_64-linux-gnu), for the directories that
# two architectures' modules must not share: dpkg's, else the compiler's
# (the release roots of tests/distro have no dpkg-dev), else none.
# debian/rules passes the host architecture's.
ifeq ($(origin MULTIARCH),undefined)
MULTIARCH := $(shell dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || \
               $(CC) -print-multiarch 2>/dev/null)
endif
# The PAM module directory: libpam's libdir plus /security, as debian/rules
# has it (/lib/<triplet>/security on Debian 12, /usr/lib/<triplet>/security
# on 13), else from the triplet.
PKG_CONFIG ?= pkg-config
ifeq ($(origin PAMDIR),undefined)
PAMLIBDIR := $(shell $(PKG_CONFIG) --variable=libdir pam 2>/dev/null)
ifeq ($(PAMLIBDIR),)
PAMLIBDIR := /lib$(if $(MULTIARCH),/$(MULTIARCH))
endif
PAMDIR   := $(PAMLIBDIR)/security
endif
DESTDIR  ?=

# libselinux is optional: used when its headers are there, unless SELINUX=no.
# The test is a file, not a printf: GNU make 4.3 and later hand "\#" to
# the shell unchanged, so a printed line would never name the header.
ifndef SELINUX
SELINUX := $(shell $(CC) -E -x c pam_agentlink/lib/have_selinux.h >/dev/null 2>&1 \
             && echo yes || echo no)
endif
ifeq ($(SELINUX),yes)
CPPFLAGS += -DHAVE_SELINUX
SELINUX_LIBS = -lselinux
endif

# One folder per program, and one for what they share:
#   pam_agentlink/lib/     libagentlink.a, linked into all three
#   pam_agentlink/module/  pam_agentlink.so: root, inside sshd's monitor
#   pam_agentlink/watch/   agentlink-watch: the user, exec'd by the module
#   pam_agentlink/cmd/     agentlink: the user, run by the user
# Each program is built beside its sources.
LIB       = pam_agentlink/lib
LIB_SRCS  = $(addprefix $(LIB)/,log.c cfg.c expand.c hosthash.c rule.c \
              layout.c scan.c probe.c linkops.c apply.c race.c proc.c \
              selinux.c creds.c safedir.c sshdconf.c conn.c diag.c \
              tmuxparse.c tmuxlinks.c)
LIB_OBJS  = $(LIB_SRCS:.c=.o)
HEADERS   = $(wildcard pam_agentlink/*/*.h)
LIBAL     = $(LIB)/libagentlink.a

MODULE    = pam_agentlink/module/pam_agentlink.so
MODULE_OBJS = $(addprefix pam_agentlink/module/,pam_agentlink.o login.o spawn.o)
MODULE_MAP  = pam_agentlink/module/pam_agentlink.map
HELPER_NAME = agentlink-watch
HELPER    = pam_agentlink/watch/$(HELPER_NAME)
HELPER_OBJS = $(addprefix pam_agentlink/watch/,helper.o watch.o)
# The watch helper's path, fixed at build time: the module execs it.  In
# the architecture's own library directory, so that modules of two
# architectures installed side by side each exec their own helper.
HELPERDIR  ?= /usr/lib$(if $(MULTIARCH),/$(MULTIARCH))/pam_agentlink
CMD       = pam_agentlink/cmd/agentlink
CMD_OBJS  = $(addprefix pam_agentlink/cmd/,agentlink.o sys.o view.o status.o \
              doctor.o tmux.o sessionlinks.o)
PREFIX   ?= /usr
BINDIR   ?= $(PREFIX)/bin
SYSCONFDIR ?= /etc

.PHONY: all check install uninstall clean
all: $(MODULE) $(HELPER) $(CMD)

%.o: %.c $(HEADERS)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -c -o $@ $<

pam_agentlink/module/spawn.o: pam_agentlink/module/spawn.c $(HEADERS) Makefile
	$(CC) $(CPPFLAGS) -DAL_WATCH_HELPER='"$(HELPERDIR)/$(HELPER_NAME)"' \
	  $(ALL_CFLAGS) -c -o $@ $<

$(LIBAL): $(LIB_OBJS)
	$(AR) rcs $@ $^

# pam_agentlink.map exports the PAM entry points alone.
define link_module
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -shared -Wl,-z,defs -Wl,-z,now \
	  -Wl,--version-script=$(MODULE_MAP) \
	  -o $@ $^ -lpam $(SELINUX_LIBS)
endef

$(MODULE): $(MODULE_OBJS) $(LIBAL)
	$(link_module)

$(HELPER): $(HELPER_OBJS) $(LIBAL)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -Wl,-z,now -o $@ $^ $(SELINUX_LIBS)

# doctor looks for a module named without a path where libpam does.
pam_agentlink/cmd/doctor.o: pam_agentlink/cmd/doctor.c $(HEADERS) Makefile
	$(CC) $(CPPFLAGS) -DAL_PAMDIR='"$(PAMDIR)"' $(ALL_CFLAGS) -c -o $@ $<

$(CMD): $(CMD_OBJS) $(LIBAL)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -Wl,-z,now -o $@ $^ $(SELINUX_LIBS)

# PREFIX moves the command and the manual pages; the helper's path is
# compiled into the module, so HELPERDIR does not follow it.
MANDIR   ?= $(PREFIX)/share/man
MANPAGE   = pam_agentlink/module/pam_agentlink.8
CMDMAN    = pam_agentlink/cmd/agentlink.1
# The module's configuration file: the admin's once installed.  install
# never writes over one (a reinstall keeps an admin's edits); uninstall
# removes it only while it is the file shipped, as dpkg keeps a changed
# conffile.  The profile.d snippet is the project's code (it must name
# the links this version makes), so install replaces it.
CONFFILE  = $(DESTDIR)$(SYSCONFDIR)/security/agentlink.conf
PROFILE   = $(DESTDIR)$(SYSCONFDIR)/profile.d/agentlink.sh
# The README and the snippets, where the package has them.
DOCDIR   ?= $(PREFIX)/share/doc/libpam-agentlink
EXAMPLES  = conf/agentlink.conf conf/agentlink.sh conf/pam.d-sshd.snippet \
            conf/screenrc conf/tmux.conf

install: $(MODULE) $(HELPER) $(CMD)
	install -d $(DESTDIR)$(PAMDIR) $(DESTDIR)$(HELPERDIR) $(DESTDIR)$(BINDIR) \
	  $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man8 \
	  $(DESTDIR)$(SYSCONFDIR)/security $(DESTDIR)$(SYSCONFDIR)/profile.d \
	  $(DESTDIR)$(DOCDIR)/examples
	install -m 0644 $(MODULE) $(DESTDIR)$(PAMDIR)/pam_agentlink.so
	install -m 0755 $(HELPER) $(DESTDIR)$(HELPERDIR)/$(HELPER_NAME)
	install -m 0755 $(CMD) $(DESTDIR)$(BINDIR)/agentlink
	install -m 0644 $(MANPAGE) $(DESTDIR)$(MANDIR)/man8/pam_agentlink.8
	install -m 0644 $(CMDMAN) $(DESTDIR)$(MANDIR)/man1/agentlink.1
	install -m 0644 README.md $(DESTDIR)$(DOCDIR)/README.md
	install -m 0644 $(EXAMPLES) $(DESTDIR)$(DOCDIR)/examples
	install -m 0644 conf/agentlink.sh $(PROFILE)
	@if [ -e $(CONFFILE) ] || [ -L $(CONFFILE) ]; then \
	  echo "keeping the existing $(CONFFILE) (the shipped one is conf/agentlink.conf)"; \
	else \
	  echo "install -m 0644 conf/agentlink.conf $(CONFFILE)"; \
	  install -m 0644 conf/agentlink.conf $(CONFFILE); \
	fi

uninstall:
	rm -f $(DESTDIR)$(PAMDIR)/pam_agentlink.so $(DESTDIR)$(HELPERDIR)/$(HELPER_NAME) \
	  $(DESTDIR)$(BINDIR)/agentlink $(DESTDIR)$(MANDIR)/man8/pam_agentlink.8 \
	  $(DESTDIR)$(MANDIR)/man1/agentlink.1 $(PROFILE) \
	  $(DESTDIR)$(DOCDIR)/README.md $(addprefix $(DESTDIR)$(DOCDIR)/examples/,$(notdir $(EXAMPLES)))
	for d in $(DESTDIR)$(HELPERDIR) $(DESTDIR)$(DOCDIR)/examples $(DESTDIR)$(DOCDIR); do \
	  [ ! -d $$d ] || rmdir --ignore-fail-on-non-empty $$d; done
	@if [ -f $(CONFFILE) ] && [ ! -L $(CONFFILE) ] && cmp -s conf/agentlink.conf $(CONFFILE); then \
	  echo "rm -f $(CONFFILE)"; rm -f $(CONFFILE); \
	elif [ -e $(CONFFILE) ] || [ -L $(CONFFILE) ]; then \
	  echo "keeping $(CONFFILE): it is not the shipped file (remove it by hand)"; \
	fi

include tests/tests.mk

clean: tests-clean
	rm -f $(MODULE) $(HELPER) $(CMD) $(LIBAL) pam_agentlink/*/*.o
