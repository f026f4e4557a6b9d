# What every step's Makefile shares: it sets PROGRAMS (the default program first)
# and includes this file. All steps build into the one tree at the top ($(BUILD)).
#   make              build this step's programs
#   make run          start the default program (SERVER=express starts server-express)
#   make test         run this step's tests (SERVER_CMD="node server.js" grades another server,
#                     PROGRAM=server-express runs only that program's tests, LEVEL=article or
#                     LEVEL=spec only the tests of that grading level and the ones below it)

TOP := $(abspath $(dir $(lastword $(MAKEFILE_LIST)))/..)
STEP := $(notdir $(CURDIR))
BUILD ?= $(TOP)/build
override BUILD := $(abspath $(BUILD))
# Compiles at once: one per core, as far as memory allows (tools/jobs).
JOBS ?= $(shell $(TOP)/tools/jobs)
export BUILD

# SERVER=express, SERVER=server-express and SERVER=server all name a program of PROGRAMS.
SERVER ?=
RUN_PROGRAM := $(if $(SERVER),$(if $(filter server server-%,$(SERVER)),$(SERVER),server-$(SERVER)),$(firstword $(PROGRAMS)))

.PHONY: all run test

all:
	@$(MAKE) --no-print-directory -C $(TOP) configure
	cmake --build $(BUILD) --target step-$(STEP) -j$(JOBS)

run: all
	@test -x $(BUILD)/$(STEP)/$(RUN_PROGRAM) || { echo "No program '$(RUN_PROGRAM)' in $(STEP); choose one of: $(PROGRAMS)" >&2; exit 1; }
	$(BUILD)/$(STEP)/$(RUN_PROGRAM)

test: all
	cmake --build $(BUILD) --target test-$(STEP) -j$(JOBS)
	@$(TOP)/tools/run-tests $(STEP)
