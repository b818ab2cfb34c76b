# pam_agentlink - top-level build.
#   make            build pam_agentlink.so
#   make check      unit, module and end-to-end tests (as root: namespaces)
#   make install    the module, its helper agentlink-watch, the command
#                   agentlink and the manual pages; DESTDIR, PREFIX, BINDIR,
#                   PAMDIR, LIBEXECDIR, MANDIR override

CC       ?= cc
CFLAGS   ?= -O2 -g
WERROR   ?= -Werror
WARNINGS  = -Wall -Wextra -Wformat=2 -Wshadow -Wpointer-arith \
            -Wstrict-prototypes -Wmissing-prototypes -Wno-format-nonliteral
CPPFLAGS += -D_GNU_SOURCE -Ipam_agentlink
ALL_CFLAGS = $(WARNINGS) $(WERROR) -fPIC $(CFLAGS)

MULTIARCH := $(shell dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null)
ifneq ($(MULTIARCH),)
PAMDIR   ?= /lib/$(MULTIARCH)/security
else
PAMDIR   ?= $(shell pkg-config --variable=libdir pam 2>/dev/null || echo /lib)/security
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
           pam_agentlink/race.c \
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
# The watch helper's path, fixed at build time: the module execs it.
LIBEXECDIR ?= /usr/libexec
HELPERDIR  ?= $(LIBEXECDIR)/pam_agentlink
MODULE_OBJS = pam_agentlink/pam_agentlink.o pam_agentlink/login.o \
              pam_agentlink/spawn.o
# The user's command, from the same library.
CMD      = agentlink
CMD_OBJS = pam_agentlink/agentlink_cmd.o pam_agentlink/cmd_sys.o \
           pam_agentlink/cmd_view.o pam_agentlink/cmd_status.o \
           pam_agentlink/cmd_doctor.o pam_agentlink/cmd_tmux.o
PREFIX   ?= /usr
BINDIR   ?= $(PREFIX)/bin

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
# compiled into the module, so LIBEXECDIR does not follow it.
MANDIR   ?= $(PREFIX)/share/man
MANPAGE   = pam_agentlink/pam_agentlink.8
CMDMAN    = pam_agentlink/agentlink.1

install: $(MODULE) $(HELPER) $(CMD)
	install -d $(DESTDIR)$(PAMDIR) $(DESTDIR)$(HELPERDIR) $(DESTDIR)$(BINDIR) \
	  $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man8
	install -m 0644 $(MODULE) $(DESTDIR)$(PAMDIR)/$(MODULE)
	install -m 0755 $(HELPER) $(DESTDIR)$(HELPERDIR)/$(HELPER)
	install -m 0755 $(CMD) $(DESTDIR)$(BINDIR)/$(CMD)
	install -m 0644 $(MANPAGE) $(DESTDIR)$(MANDIR)/man8/pam_agentlink.8
	install -m 0644 $(CMDMAN) $(DESTDIR)$(MANDIR)/man1/agentlink.1

uninstall:
	rm -f $(DESTDIR)$(PAMDIR)/$(MODULE) $(DESTDIR)$(HELPERDIR)/$(HELPER) \
	  $(DESTDIR)$(BINDIR)/$(CMD) $(DESTDIR)$(MANDIR)/man8/pam_agentlink.8 \
	  $(DESTDIR)$(MANDIR)/man1/agentlink.1
	-rmdir $(DESTDIR)$(HELPERDIR)

include tests/tests.mk

clean: tests-clean
	rm -f $(MODULE) $(HELPER) $(CMD) $(LIBAL) pam_agentlink/*.o
