"""Two realistic customers in one emulator (same account and region): isolated stacks, side by side."""

from __future__ import annotations

from support.network_state import network_of, rule_set, tags_of

from .conftest import ACME, GLOBEX, INVENTORIES

# The network alone (site.yml's network tag), for the network changes tested after the whole stacks converged.
NETWORK_ONLY = ("--tags", "network")
OPEN_DB = {"IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}


def test_both_customers_converge_in_one_run_and_rerun_and_check_change_nothing(customers):
    assert set(customers["first"].recap) == {ACME, GLOBEX}
    assert customers["first"].changed(ACME) > 0 and customers["first"].changed(GLOBEX) > 0
    assert customers["second"].changed() == 0, customers["second"].output[-4000:]
    assert customers["check"].changed() == 0, customers["check"].output[-4000:]


def test_each_customer_has_its_own_app_tier(emulator, customers):
    ecs = emulator.client("ecs")
    elbv2 = emulator.client("elbv2")
    for prefix in (ACME, GLOBEX):
        [service] = ecs.describe_services(cluster=prefix, services=[f"{prefix}-backend"])["services"]
        assert service["status"] == "ACTIVE" and service["desiredCount"] == 2
        [alb] = elbv2.describe_load_balancers(Names=[f"{prefix}-alb"])["LoadBalancers"]
        vpc = network_of(emulator.client("ec2"), prefix)["vpc"]["VpcId"]
        assert alb["VpcId"] == vpc
        repositories = emulator.client("ecr").describe_repositories(repositoryNames=[f"{prefix}-backend"])
        assert len(repositories["repositories"]) == 1
        assert "ALB_DNS_NAME=" + alb["DNSName"] in (emulator.output_dir / prefix / "app.env").read_text()
    # ACME's on-call address gets its alarms; Globex set no subscription.
    sns = emulator.client("sns")
    endpoints = {
        prefix: [
            sub["Endpoint"]
            for sub in sns.list_subscriptions_by_topic(
                TopicArn=f"arn:aws:sns:ap-northeast-2:123456789012:{prefix}-alarms"
            )["Subscriptions"]
        ]
        for prefix in (ACME, GLOBEX)
    }
    assert endpoints == {ACME: ["oncall@acme.example"], GLOBEX: []}


def test_separate_vpcs_with_customer_settings(emulator, customers):
    ec2 = emulator.client("ec2")
    acme, globex = network_of(ec2, ACME), network_of(ec2, GLOBEX)
    assert acme["vpc"]["VpcId"] != globex["vpc"]["VpcId"]
    assert acme["vpc"]["CidrBlock"] == "10.0.0.0/16"
    assert globex["vpc"]["CidrBlock"] == "10.20.0.0/16"
    assert tags_of(acme["vpc"])["CostCenter"] == "acme-saas"
    assert tags_of(acme["vpc"])["Customer"] == "acme"
    assert tags_of(globex["vpc"])["Customer"] == "globex"
    # customer_a asks for one NAT gateway per zone (high availability), customer_b keeps the single one.
    assert sorted(n["SubnetId"] for n in acme["nat_gateways"]) == sorted(
        s["SubnetId"] for name, s in acme["subnets"].items() if "-public-" in name
    )
    assert len(globex["nat_gateways"]) == 1
    for zone in ("ap-northeast-2a", "ap-northeast-2c"):
        private = acme["route_tables"][f"{ACME}-private-rt-{zone}"]
        nat = next(r["NatGatewayId"] for r in private["Routes"] if r.get("DestinationCidrBlock") == "0.0.0.0/0")
        nat_subnet = next(n["SubnetId"] for n in acme["nat_gateways"] if n["NatGatewayId"] == nat)
        assert nat_subnet == acme["subnets"][f"{ACME}-public-{zone}"]["SubnetId"]


def test_no_name_collides_between_customers(emulator, customers):
    ec2 = emulator.client("ec2")
    acme, globex = network_of(ec2, ACME), network_of(ec2, GLOBEX)
    for kind in ("subnets", "route_tables", "security_groups"):
        assert all(name.startswith(ACME) for name in acme[kind] if name.startswith("triflow")), kind
        assert all(name.startswith(GLOBEX) for name in globex[kind] if name.startswith("triflow")), kind
        assert not set(acme[kind]) & set(globex[kind]) - {None}, kind


def test_removing_an_out_of_band_rule_in_one_customer_leaves_the_other_alone(emulator, playbook, customers):
    ec2 = emulator.client("ec2")
    acme_db = network_of(ec2, ACME)["security_groups"][f"{ACME}-db"]["GroupId"]
    globex_db = network_of(ec2, GLOBEX)["security_groups"][f"{GLOBEX}-db"]["GroupId"]
    for group_id in (acme_db, globex_db):
        ec2.authorize_security_group_ingress(GroupId=group_id, IpPermissions=[OPEN_DB])

    run = playbook("site.yml", INVENTORIES[0], extra_args=NETWORK_ONLY)
    assert run.rc == 0, run.output[-6000:]
    assert set(run.recap) == {ACME}

    def ingress(group_id):
        return rule_set(ec2.describe_security_groups(GroupIds=[group_id])["SecurityGroups"][0]["IpPermissions"], {})

    assert ("tcp", 5432, 5432, "0.0.0.0/0") not in ingress(acme_db)
    assert ("tcp", 5432, 5432, "0.0.0.0/0") in ingress(globex_db), "customer_a's run touched customer_b"

    run = playbook("site.yml", INVENTORIES[1], extra_args=NETWORK_ONLY)
    assert run.rc == 0, run.output[-6000:]
    assert ("tcp", 5432, 5432, "0.0.0.0/0") not in ingress(globex_db)


def test_switching_nat_mode_moves_routes_and_removes_the_unused_nat_and_its_eip(emulator, playbook, customers):
    ec2 = emulator.client("ec2")
    before = network_of(ec2, ACME)
    assert len(before["nat_gateways"]) == 2
    nat_c = next(n for n in before["nat_gateways"] if tags_of(n)["Name"] == f"{ACME}-nat-ap-northeast-2c")
    eip_c = nat_c["NatGatewayAddresses"][0]["AllocationId"]

    run = playbook("site.yml", INVENTORIES[0], extra_vars={"network_nat_mode": "single"}, extra_args=NETWORK_ONLY)
    assert run.rc == 0, run.output[-6000:]
    single = network_of(ec2, ACME)
    assert [tags_of(n)["Name"] for n in single["nat_gateways"]] == [f"{ACME}-nat-ap-northeast-2a"]
    nat_a = single["nat_gateways"][0]["NatGatewayId"]
    for zone in ("ap-northeast-2a", "ap-northeast-2c"):
        routes = single["route_tables"][f"{ACME}-private-rt-{zone}"]["Routes"]
        assert [r.get("NatGatewayId") for r in routes if r.get("DestinationCidrBlock") == "0.0.0.0/0"] == [nat_a]
    assert eip_c not in {a["AllocationId"] for a in ec2.describe_addresses()["Addresses"]}, "EIP left allocated"

    run = playbook("site.yml", INVENTORIES[0], extra_args=NETWORK_ONLY)
    assert run.rc == 0, run.output[-6000:]
    assert len(network_of(ec2, ACME)["nat_gateways"]) == 2


def test_flow_logs_and_access_logs_where_the_inventory_turns_them_on(emulator, customers):
    # customer_a (production) turns on VPC flow logs and ALB access logs; customer_b keeps the defaults (off).
    ec2, elbv2, s3 = (emulator.client(name) for name in ("ec2", "elbv2", "s3"))
    for prefix, on in ((ACME, True), (GLOBEX, False)):
        vpc = network_of(ec2, prefix)["vpc"]["VpcId"]
        logs = ec2.describe_flow_logs(Filters=[{"Name": "resource-id", "Values": [vpc]}])["FlowLogs"]
        [alb] = elbv2.describe_load_balancers(Names=[f"{prefix}-alb"])["LoadBalancers"]
        attributes = {
            a["Key"]: a["Value"]
            for a in elbv2.describe_load_balancer_attributes(LoadBalancerArn=alb["LoadBalancerArn"])["Attributes"]
        }
        buckets = {bucket["Name"] for bucket in s3.list_buckets()["Buckets"]}
        bucket = f"{prefix}-alb-logs-123456789012"
        if not on:
            assert logs == [] and attributes["access_logs.s3.enabled"] == "false" and bucket not in buckets
            continue
        [log] = logs
        assert (log["LogGroupName"], log["TrafficType"], log["LogDestinationType"]) == (
            f"/aws/vpc/{prefix}-flow-logs",
            "ALL",
            "cloud-watch-logs",
        )
        assert log["DeliverLogsPermissionArn"] == f"arn:aws:iam::123456789012:role/{prefix}-flow-logs"
        [group] = emulator.client("logs").describe_log_groups(logGroupNamePrefix=f"/aws/vpc/{prefix}-flow-logs")[
            "logGroups"
        ]
        assert group["retentionInDays"] == 90
        assert (attributes["access_logs.s3.enabled"], attributes["access_logs.s3.bucket"]) == ("true", bucket)
        assert attributes["access_logs.s3.prefix"] == "alb"
        encryption = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"][0]
        assert encryption["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
        assert s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]["BlockPublicPolicy"]
