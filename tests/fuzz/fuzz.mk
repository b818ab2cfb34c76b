# libFuzzer harnesses for the option/config parser, the link template
# expansion and the parser of the kernel's list of listening sockets, built with clang and the sanitizers straight from the library
# sources (not the gcc-built libagentlink.a).
#   make check                     ~45 s per harness (tests/fuzz/fuzz.t)
#   make fuzz FUZZ_TIME=600        a longer run
FUZZ_CC    ?= clang
FUZZ_TIME  ?= 45
FUZZ_DIR    = tests/build/fuzz
FUZZ_FLAGS  = -g -O1 -fno-omit-frame-pointer \
              -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
FUZZERS     = $(FUZZ_DIR)/fuzz_cfg $(FUZZ_DIR)/fuzz_expand $(FUZZ_DIR)/fuzz_diag
FUZZ_CFG_SRCS    = $(addprefix $(LIB)/,cfg.c expand.c log.c layout.c)
FUZZ_EXPAND_SRCS = $(addprefix $(LIB)/,expand.c log.c)
FUZZ_DIAG_SRCS   = $(LIB)/diag.c

$(FUZZ_DIR)/fuzz_cfg: tests/fuzz/fuzz_cfg.c tests/fuzz/fuzz_common.h $(FUZZ_CFG_SRCS) $(HEADERS)
	@mkdir -p $(FUZZ_DIR)
	$(FUZZ_CC) $(CPPFLAGS) $(WARNINGS) $(WERROR) $(FUZZ_FLAGS) -o $@ \
	  tests/fuzz/fuzz_cfg.c $(FUZZ_CFG_SRCS)

$(FUZZ_DIR)/fuzz_expand: tests/fuzz/fuzz_expand.c tests/fuzz/fuzz_common.h $(FUZZ_EXPAND_SRCS) $(HEADERS)
	@mkdir -p $(FUZZ_DIR)
	$(FUZZ_CC) $(CPPFLAGS) $(WARNINGS) $(WERROR) $(FUZZ_FLAGS) -o $@ \
	  tests/fuzz/fuzz_expand.c $(FUZZ_EXPAND_SRCS)

$(FUZZ_DIR)/fuzz_diag: tests/fuzz/fuzz_diag.c tests/fuzz/fuzz_common.h $(FUZZ_DIAG_SRCS) $(HEADERS)
	@mkdir -p $(FUZZ_DIR)
	$(FUZZ_CC) $(CPPFLAGS) $(WARNINGS) $(WERROR) $(FUZZ_FLAGS) -o $@ \
	  tests/fuzz/fuzz_diag.c $(FUZZ_DIAG_SRCS)

.PHONY: fuzz
fuzz: $(FUZZERS)
	FUZZ_TIME=$(FUZZ_TIME) tests/fuzz/fuzz.t

# Without clang the harnesses are not built and tests/fuzz/fuzz.t skips.
ifneq ($(shell command -v $(FUZZ_CC) 2>/dev/null),)
CHECK_BUILD += $(FUZZERS)
endif
TESTS       += tests/fuzz/fuzz.t
CLEAN_FILES += $(FUZZERS)
