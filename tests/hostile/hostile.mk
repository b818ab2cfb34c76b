# Hostile-input suite, sanitizer builds and valgrind runs (issue 4).
# Appends to TESTS, CHECK_BUILD and CLEAN_FILES (see tests/tests.mk).

PAMDRIVE = tests/tools/pamdrive

# A real PAM transaction driver shared by shell tests (links libpam).
$(PAMDRIVE): tests/tools/pamdrive.c
	$(CC) $(CPPFLAGS) $(TEST_CFLAGS) -o $@ $< -lpam

HOSTILE_TESTS = $(filter-out tests/hostile/asan.t tests/hostile/valgrind.t,$(sort $(wildcard tests/hostile/*.t)))

TESTS       += $(HOSTILE_TESTS)
CHECK_BUILD += $(PAMDRIVE)
CLEAN_FILES += $(PAMDRIVE)

include tests/hostile/sanitize.mk
