# Sanitizer builds (AddressSanitizer + UndefinedBehaviorSanitizer) of the
# library, the module, pamdrive, the unit tests and the module test, in
# tests/build/asan/ apart from the normal build; run by tests/hostile/asan.t.
# The valgrind run (tests/hostile/valgrind.t) uses the normal build.
ASAN_CC     ?= $(CC)
ASAN_DIR     = tests/build/asan
ASAN_FLAGS   = -g -O2 -fno-omit-frame-pointer -fsanitize=address,undefined \
               -fno-sanitize-recover=all
ASAN_CFLAGS  = $(WARNINGS) $(WERROR) -fPIC $(ASAN_FLAGS)
# -O2 as the normal build: gcc's -Waddress and -Wformat-truncation
# findings depend on the optimisation level, and -Werror must mean the same.
ASAN_TEST_CFLAGS = $(ASAN_CFLAGS) -Itests/lib
ASAN_OBJS    = $(addprefix $(ASAN_DIR)/,$(LIB_SRCS:.c=.o))
# Whatever unit tests and module test exist (they are written on main).
ASAN_UNIT    = $(patsubst %.c,$(ASAN_DIR)/%,$(wildcard tests/unit/test_*.c))
ASAN_MODTEST = $(patsubst %.c,$(ASAN_DIR)/%,$(wildcard tests/module/test_module.c))
ASAN_BINS    = $(ASAN_DIR)/pam_agentlink.so $(ASAN_DIR)/tests/tools/pamdrive \
               $(ASAN_UNIT) $(ASAN_MODTEST)

$(ASAN_DIR)/pam_agentlink/%.o: pam_agentlink/%.c $(HEADERS)
	@mkdir -p $(dir $@)
	$(ASAN_CC) $(CPPFLAGS) $(ASAN_CFLAGS) -c -o $@ $<

# The test module's spawn.o: it execs the helper built here.
$(ASAN_DIR)/pam_agentlink/module/spawn.o: pam_agentlink/module/spawn.c $(HEADERS)
	@mkdir -p $(dir $@)
	$(ASAN_CC) $(CPPFLAGS) -DAL_WATCH_HELPER='"$(CURDIR)/$(HELPER)"' \
	  $(ASAN_CFLAGS) -c -o $@ $<

$(ASAN_DIR)/pam_agentlink.so: $(ASAN_DIR)/pam_agentlink/module/pam_agentlink.o \
		$(ASAN_DIR)/pam_agentlink/module/login.o $(ASAN_DIR)/pam_agentlink/module/spawn.o \
		$(ASAN_OBJS)
	$(ASAN_CC) $(ASAN_CFLAGS) -shared -Wl,-z,now \
	  -Wl,--version-script=$(MODULE_MAP) \
	  -o $@ $^ -lpam $(SELINUX_LIBS)

$(ASAN_DIR)/tests/tools/pamdrive: tests/tools/pamdrive.c
	@mkdir -p $(dir $@)
	$(ASAN_CC) $(CPPFLAGS) $(ASAN_CFLAGS) -o $@ $< -lpam

$(ASAN_DIR)/tests/unit/%: tests/unit/%.c tests/lib/tap.h $(ASAN_OBJS)
	@mkdir -p $(dir $@)
	$(ASAN_CC) $(CPPFLAGS) $(ASAN_TEST_CFLAGS) -o $@ $< $(ASAN_OBJS) $(SELINUX_LIBS)

$(ASAN_DIR)/tests/module/test_module: tests/module/test_module.c tests/lib/tap.h $(ASAN_OBJS)
	@mkdir -p $(dir $@)
	$(ASAN_CC) $(CPPFLAGS) $(ASAN_TEST_CFLAGS) -o $@ $< $(ASAN_OBJS) -lpam $(SELINUX_LIBS)

.PHONY: asan
asan: $(ASAN_BINS)

CHECK_BUILD += $(ASAN_BINS)
TESTS       += tests/hostile/asan.t tests/hostile/valgrind.t
CLEAN_FILES += $(ASAN_BINS) $(ASAN_OBJS) $(ASAN_DIR)/pam_agentlink/module/pam_agentlink.o \
               $(ASAN_DIR)/pam_agentlink/module/login.o $(ASAN_DIR)/pam_agentlink/module/spawn.o
