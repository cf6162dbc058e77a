"""RDS and ElastiCache creation start together and are waited for together (ARCHITECTURE.md, "parallel long waits").

The emulator keeps a new DB instance and a new replication group "creating" for TRIFLOW_EMULATOR_CREATION_DELAY
seconds. If the play waited for the database before starting the cache, the cache's creation would start only after
the database became available, one delay later. bench/ prints the wall times; this test checks the order.
"""

from __future__ import annotations

import re
import time

import pytest

# Wide enough that a loaded CI machine (two pytest workers beside molecule on two cores) does not take the few
# seconds between the two starts for a wait: 12 s were seen there with 10 s.
DELAY = 30.0
PREFIX = "triflow-demo-dev"


@pytest.fixture(scope="module")
def delayed(tmp_path_factory, emulator_factory):
    with emulator_factory("delayed", TRIFLOW_EMULATOR_CREATION_DELAY=str(DELAY)) as emulator:
        yield emulator


def test_cache_creation_starts_before_the_database_is_available(delayed, playbook_runner):
    started = time.monotonic()
    # The data tier is where the long waits are; the app tier after it does not change the order checked here.
    run = playbook_runner(delayed, "site.yml", "inventories/local", extra_args=("--tags", "data"))
    elapsed = time.monotonic() - started
    assert run.rc == 0, run.output[-6000:]

    [db] = delayed.client("rds").describe_db_instances(DBInstanceIdentifier=f"{PREFIX}-db")["DBInstances"]
    [cache] = delayed.client("elasticache").describe_replication_groups(ReplicationGroupId=f"{PREFIX}-redis")[
        "ReplicationGroups"
    ]
    database_created = db["InstanceCreateTime"]
    cache_created = cache["ReplicationGroupCreateTime"]
    # The database is available DELAY seconds after its creation; the cache's creation must come before that.
    assert (cache_created - database_created).total_seconds() < DELAY, (database_created, cache_created)
    print(f"site.yml with creation delays of {DELAY:.0f} s on RDS and ElastiCache: {elapsed:.1f} s")

    # What the operator saw meanwhile (ansible.cfg's stdout callback, triflow.platform.progress): the wait in
    # words, not Ansible's "FAILED - RETRYING", and the time per role after the recap.
    waited = re.findall(
        r"^Waiting \[triflow-demo-dev\] Wait for the PostgreSQL instance to be available - creating, (\d+) s so far, "
        r"up to 40 min$",
        run.output,
        re.M,
    )
    assert waited, run.output[-6000:]
    assert [int(seconds) for seconds in waited] == sorted(int(seconds) for seconds in waited)
    assert "FAILED - RETRYING" not in run.output
    roles = re.findall(r"^(\S+)\s+\d+\.\d s$", run.output.split("TIME PER ROLE", 1)[1], re.M)
    assert {"stack", "network", "secrets", "storage", "rds", "elasticache", "total"} <= set(roles), roles
