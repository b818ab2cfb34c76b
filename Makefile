# pam_agentlink - top-level build.
#   make            build pam_agentlink.so
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
CPPFLAGS += -D_GNU_SOURCE -Ipam_agentlink
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
SELINUX := $(shell $(CC) -E -x c pam_agentlink/have_selinux.h >/dev/null 2>&1 \
             && echo yes || echo no)
endif
ifeq ($(SELINUX),yes)
CPPFLAGS += -DHAVE_SELINUX
SELINUX_LIBS = -lselinux
endif

LIB_SRCS = pam_agentlink/log.c pam_agentlink/cfg.c pam_agentlink/expand.c \
           pam_agentlink/hosthash.c pam_agentlink/rule.c \
           pam_agentlink/scan.c pam_agentlink/probe.c \
           pam_agentlink/linkops.c pam_agentlink/apply.c \
           pam_agentlink/race.c pam_agentlink/proc.c \
           pam_agentlink/watch.c pam_agentlink/selinux.c \
           pam_agentlink/creds.c pam_agentlink/layout.c \
           pam_agentlink/safedir.c pam_agentlink/sshdconf.c \
           pam_agentlink/conn.c pam_agentlink/diag.c \
           pam_agentlink/cmd_tmuxparse.c pam_agentlink/tmuxlinks.c
LIB_OBJS = $(LIB_SRCS:.c=.o)
HEADERS  = pam_agentlink/agentlink.h pam_agentlink/login.h \
           pam_agentlink/cmd_tmux.h

MODULE   = pam_agentlink.so
HELPER   = agentlink-watch
LIBAL    = pam_agentlink/libagentlink.a
# The watch helper's path, fixed at build time: the module execs it.  In
# the architecture's own library directory, so that modules of two
# architectures installed side by side each exec their own helper.
HELPERDIR  ?= /usr/lib$(if $(MULTIARCH),/$(MULTIARCH))/pam_agentlink
MODULE_OBJS = pam_agentlink/pam_agentlink.o pam_agentlink/login.o \
              pam_agentlink/spawn.o
# The user's command, from the same library.
CMD      = agentlink
CMD_OBJS = pam_agentlink/agentlink_cmd.o pam_agentlink/cmd_sys.o \
           pam_agentlink/cmd_view.o pam_agentlink/cmd_status.o \
           pam_agentlink/cmd_doctor.o pam_agentlink/cmd_tmux.o \
           pam_agentlink/cmd_tmuxlinks.o
PREFIX   ?= /usr
BINDIR   ?= $(PREFIX)/bin
SYSCONFDIR ?= /etc

.PHONY: all check install uninstall clean
all: $(MODULE) $(HELPER) $(CMD)

%.o: %.c $(HEADERS)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -c -o $@ $<

pam_agentlink/spawn.o: pam_agentlink/spawn.c $(HEADERS) Makefile
	$(CC) $(CPPFLAGS) -DAL_WATCH_HELPER='"$(HELPERDIR)/$(HELPER)"' \
	  $(ALL_CFLAGS) -c -o $@ $<

$(LIBAL): $(LIB_OBJS)
	$(AR) rcs $@ $^

# pam_agentlink.map exports the PAM entry points alone.
define link_module
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -shared -Wl,-z,defs -Wl,-z,now \
	  -Wl,--version-script=pam_agentlink/pam_agentlink.map \
	  -o $@ $^ -lpam $(SELINUX_LIBS)
endef

$(MODULE): $(MODULE_OBJS) $(LIBAL)
	$(link_module)

$(HELPER): pam_agentlink/watch_helper.o $(LIBAL)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -Wl,-z,now -o $@ $^ $(SELINUX_LIBS)

$(CMD_OBJS): pam_agentlink/cmd.h pam_agentlink/cmd_tmux.h
# doctor looks for a module named without a path where libpam does.
pam_agentlink/cmd_doctor.o: pam_agentlink/cmd_doctor.c $(HEADERS) Makefile
	$(CC) $(CPPFLAGS) -DAL_PAMDIR='"$(PAMDIR)"' $(ALL_CFLAGS) -c -o $@ $<

$(CMD): $(CMD_OBJS) $(LIBAL)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -Wl,-z,now -o $@ $^ $(SELINUX_LIBS)

# PREFIX moves the command and the manual pages; the helper's path is
# compiled into the module, so HELPERDIR does not follow it.
MANDIR   ?= $(PREFIX)/share/man
MANPAGE   = pam_agentlink/pam_agentlink.8
CMDMAN    = pam_agentlink/agentlink.1
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
	install -m 0644 $(MODULE) $(DESTDIR)$(PAMDIR)/$(MODULE)
	install -m 0755 $(HELPER) $(DESTDIR)$(HELPERDIR)/$(HELPER)
	install -m 0755 $(CMD) $(DESTDIR)$(BINDIR)/$(CMD)
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
	rm -f $(DESTDIR)$(PAMDIR)/$(MODULE) $(DESTDIR)$(HELPERDIR)/$(HELPER) \
	  $(DESTDIR)$(BINDIR)/$(CMD) $(DESTDIR)$(MANDIR)/man8/pam_agentlink.8 \
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
	rm -f $(MODULE) $(HELPER) $(CMD) $(LIBAL) pam_agentlink/*.o
