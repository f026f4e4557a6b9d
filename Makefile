# The kit's front door: thin wrappers over cmake and the test runner.
#   make                 build every step
#   make run             build, then start a step server (STEP=03-broadcast SERVER=express)
#   make test            build, then run every step's tests and print a table
#                        (LEVEL=article|spec|kit: one grading level and those below it)
#   make doc             API docs with Doxygen (build/doc/html/index.html)
#   make diffs           after a code change: rewrite docs/diffs/ and docs/tests.md
#   make screenshots     the browser tests, saving their screenshots into docs/images/
#   make bench           Release build in build-release/, kit against Node ws@8, writes docs/benchmarks.md
#   make grade CLASS=<folder>   grade a class, each student's servers in a sandbox, into grades/
#                        (OUT=<folder> LEVEL= JOBS=<students at once> SHARD=i/n; docs/grading.md)
#                        (DEADLINE="YYYY-MM-DD HH:MM": git hand-ins as of then; ROSTER=<csv>: clone into CLASS)
#   make grade-merge OUT=<folder> PARTS="<out1> <out2> ..."   join the reports of SHARD runs
#   make lab             lab/<step>/: the steps with their lesson left to write (docs/lab.md)
# Every target first checks that the machine has what the kit needs (tools/setup).

BUILD ?= build
override BUILD := $(abspath $(BUILD))
# The step `make run` starts when none is named: the broadcast server, because two browser
# tabs on its page (each sees the other's messages) show the most of what the kit teaches.
STEP ?= 03-broadcast
# Every step folder that has a build of its own, in the article's order.
STEPS := $(patsubst %/CMakeLists.txt,%,$(sort $(wildcard 0[1-9]-*/CMakeLists.txt)))
# Test suites beyond the steps: tests/<name>/ with GoogleTest files or a `run` script.
OTHER_SUITES := $(filter-out $(STEPS) harness bench,$(patsubst tests/%/,%,$(sort $(dir $(wildcard tests/*/*.cpp tests/*/run)))))
# Compiles at once: one per core, as far as memory allows (tools/jobs).
JOBS ?= $(shell ./tools/jobs)
CMAKE_FLAGS ?=

export BUILD

.PHONY: all setup configure run test doc diffs screenshots clean bench grade grade-merge lab

all: configure
	cmake --build $(BUILD) -j$(JOBS)

setup:
	@./tools/setup

configure: setup
	@test -f $(BUILD)/CMakeCache.txt || cmake -S . -B $(BUILD) $(CMAKE_FLAGS)

run: configure
	@$(MAKE) --no-print-directory -C $(STEP) run

test: all
	@./tools/run-tests $(STEPS) $(OTHER_SUITES)

doc: configure
	cmake --build $(BUILD) --target doc

# After changing a step's code or tests: rewrite docs/diffs/<step>.diff (what each
# step changed since the previous one) and docs/tests.md, then commit docs/.
diffs:
	@./docs/generate
	@echo "docs/diffs/ and docs/tests.md are up to date with the code: commit them."

# A test run saves its screenshots in the build tree; this one refreshes the committed ones.
screenshots: all
	@SCREENSHOTS_DIR=$(CURDIR)/docs/images ./tools/run-tests browser

clean:
	rm -rf $(BUILD)

# The lab (docs/lab.md): lab/<step>/ for every step from 02-echo on, each marked place of its
# lesson left as a TODO(lab). A lab step that exists is never overwritten; STEP=02-echo makes
# only that one, and FORCE=1 makes it again (losing what was written in it).
LAB_STEPS := $(if $(filter command line environment,$(origin STEP)),$(STEP))
lab:
	@./tools/lab make $(if $(FORCE),--force) $(LAB_STEPS)

# The benchmark builds Release in a tree of its own (the students' Debug build stays as it is):
# the load generator and the servers it measures, then tests/bench/run-bench (docs/benchmarks.md).
BENCH_BUILD ?= build-release
override BENCH_BUILD := $(abspath $(BENCH_BUILD))
BENCH_TARGETS := kit_loadgen $(if $(wildcard 02-echo/CMakeLists.txt),_02_echo_server) $(if $(wildcard 03-broadcast/CMakeLists.txt),_03_broadcast_server)
bench: setup
	@cmake -S . -B $(BENCH_BUILD) -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS) >/dev/null
	cmake --build $(BENCH_BUILD) -j$(JOBS) --target $(BENCH_TARGETS)
	@./tests/bench/run-bench $(BENCH_BUILD)

# Grading a class (docs/grading.md): the tests of this build against every student's
# hand-in, in a sandbox each. OUT, LEVEL, JOBS, SHARD, STEPS, DEADLINE and ROSTER given here reach
# tools/grade. ROSTER needs CLASS too: the folder its clones are kept in, fetched again next time.
grade: all
	@test -n "$(CLASS)" || { echo "make grade CLASS=<folder with one folder per student> [OUT=grades/] [DEADLINE=\"YYYY-MM-DD HH:MM\"] [ROSTER=<student,repository csv>]" >&2; exit 2; }
	@./tools/grade "$(CLASS)"

grade-merge: setup
	@test -n "$(OUT)" && test -n "$(PARTS)" || { echo 'make grade-merge OUT=<folder> PARTS="<out1> <out2> ..."' >&2; exit 2; }
	@./tools/grade --merge "$(OUT)" $(PARTS)
