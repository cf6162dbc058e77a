"""The stack's network when someone opened the database to the world: the next run removes that rule only."""

from __future__ import annotations

from support.network_state import network_of, rule_set

from .conftest import LOCAL, PREFIX, LocalStack

# The network alone (site.yml's network tag).
NETWORK_ONLY = ("--tags", "network")
OPEN_DB = {"IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}


def test_out_of_band_rule_on_the_db_group_is_removed_by_the_next_run(emulator, playbook, local_stack: LocalStack):
    ec2 = emulator.client("ec2")
    groups = network_of(ec2, PREFIX)["security_groups"]
    db = groups[f"{PREFIX}-db"]["GroupId"]
    names = {group["GroupId"]: name.removeprefix(f"{PREFIX}-") for name, group in groups.items()}
    ec2.authorize_security_group_ingress(GroupId=db, IpPermissions=[OPEN_DB])
    opened = ec2.describe_security_groups(GroupIds=[db])["SecurityGroups"][0]
    assert ("tcp", 5432, 5432, "0.0.0.0/0") in rule_set(opened["IpPermissions"], names)

    run = playbook("site.yml", LOCAL, extra_args=NETWORK_ONLY)
    assert run.rc == 0, run.tail()
    assert run.changed(PREFIX) == 1, run.tail(4000)
    after = ec2.describe_security_groups(GroupIds=[db])["SecurityGroups"][0]
    assert rule_set(after["IpPermissions"], names) == {("tcp", 5432, 5432, "app")}
