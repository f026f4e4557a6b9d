# What every lab step's Makefile shares (`make lab` writes lab/<step>/Makefile: PROGRAMS, then this).
# It builds THIS folder's code with the kit's own build files, into a tree of its own, and grades it
# with the step's tests from tests/ (never from the lab folder). See docs/lab.md.
#   make              build this folder's programs into build/lab/<step>/build/<step>/
#   make run          start the default program (SERVER=express starts server-express)
#   make test         the step's tests against them; the last line is "<step>: N passed, M failed"
#                     (LEVEL=…, PROGRAM=server-express and VERBOSE=1 work as in the step)

TOP := $(abspath $(dir $(lastword $(MAKEFILE_LIST)))/..)
STEP := $(notdir $(CURDIR))
# Not BUILD: that names the kit's own tree, which a lab step never builds into.
LAB_BUILD ?= $(TOP)/build/lab/$(STEP)
override LAB_BUILD := $(abspath $(LAB_BUILD))

# SERVER=express, SERVER=server-express and SERVER=server all name a program of PROGRAMS.
SERVER ?=
RUN_PROGRAM := $(if $(SERVER),$(if $(filter server server-%,$(SERVER)),$(SERVER),server-$(SERVER)),$(firstword $(PROGRAMS)))

.PHONY: all run test

all:
	@$(TOP)/tools/setup
	@$(TOP)/tools/lab build $(CURDIR) $(LAB_BUILD)

run: all
	@test -x $(LAB_BUILD)/build/$(STEP)/$(RUN_PROGRAM) || { echo "No program '$(RUN_PROGRAM)' in $(STEP); choose one of: $(PROGRAMS)" >&2; exit 1; }
	$(LAB_BUILD)/build/$(STEP)/$(RUN_PROGRAM)

test: all
	@$(TOP)/tools/lab test $(CURDIR) $(LAB_BUILD)
