"""Secrets and S3 storage of inventories/local against the emulator, property by property against SPEC.md."""

from __future__ import annotations

import json
import string

import psycopg
import pytest

from .network_state import tags_of

LOCAL = "inventories/local"
PREFIX = "triflow-demo-dev"
BUCKET = f"{PREFIX}-files-123456789012"
BASE_TAGS = {"Project": "triflow", "Customer": "demo", "Environment": "dev", "ManagedBy": "ansible"}
SECRET_LENGTHS = {"db-master-password": 40, "redis-auth-token": 64, "app-secret-key": 64}


def _secret_values(secretsmanager) -> dict[str, str]:
    return {
        secret["Name"]: secretsmanager.get_secret_value(SecretId=secret["ARN"])["SecretString"]
        for secret in secretsmanager.list_secrets()["SecretList"]
        if secret["Name"].startswith(f"{PREFIX}/")
    }


@pytest.fixture(scope="module")
def stack(emulator, playbook):
    """A fresh check-mode preview, then a converge at -vvv, a re-run and a check run of inventories/local."""
    emulator.reset()
    preview = playbook("site.yml", LOCAL, check=True)
    assert preview.rc == 0, preview.output[-6000:]
    created_by_preview = emulator.client("s3").list_buckets()["Buckets"]
    first = playbook("site.yml", LOCAL, extra_args=("-vvv",))
    assert first.rc == 0, first.output[-6000:]
    values = _secret_values(emulator.client("secretsmanager"))
    second = playbook("site.yml", LOCAL)
    assert second.rc == 0, second.output[-6000:]
    check = playbook("site.yml", LOCAL, check=True)
    assert check.rc == 0, check.output[-6000:]
    return {
        "preview": preview,
        "created_by_preview": created_by_preview,
        "first": first,
        "second": second,
        "check": check,
        "values": values,
    }


def test_check_mode_on_a_fresh_stack_reports_the_bucket_and_creates_nothing(stack):
    assert f"bucket {BUCKET} would be created" in stack["preview"].output
    assert stack["created_by_preview"] == []


def test_rerun_and_check_change_nothing(stack):
    assert stack["second"].changed(PREFIX) == 0, stack["second"].output[-4000:]
    assert stack["check"].changed(PREFIX) == 0, stack["check"].output[-4000:]


def test_generated_secrets_exist_once_with_their_lengths_and_tags(emulator, stack):
    secretsmanager = emulator.client("secretsmanager")
    for key, length in SECRET_LENGTHS.items():
        name = f"{PREFIX}/{key}"
        value = stack["values"][name]
        assert len(value) == length
        assert set(value) <= set(string.ascii_letters + string.digits)
        described = secretsmanager.describe_secret(SecretId=name)
        assert {t["Key"]: t["Value"] for t in described["Tags"]} == {**BASE_TAGS, "Name": name}
    assert len(set(stack["values"].values())) == len(stack["values"]), "two secrets share a value"


def test_provided_secret_starts_as_a_placeholder_and_the_run_says_so(stack):
    assert stack["values"][f"{PREFIX}/anthropic-api-key"].startswith("PLACEHOLDER")
    assert f"{PREFIX}/anthropic-api-key still holds a placeholder" in stack["second"].output


def test_reruns_keep_every_secret_value(emulator, stack):
    assert _secret_values(emulator.client("secretsmanager")) == stack["values"]


def test_no_secret_value_appears_in_verbose_output(stack):
    for name, value in stack["values"].items():
        for run in ("first", "second", "check"):
            assert value not in stack[run].output, f"{name} leaked in the {run} run"


def test_an_operator_set_value_survives_a_run(emulator, playbook, stack):
    secretsmanager = emulator.client("secretsmanager")
    name = f"{PREFIX}/anthropic-api-key"
    secretsmanager.put_secret_value(SecretId=name, SecretString="sk-ant-operator-value")
    run = playbook("site.yml", LOCAL)
    assert run.rc == 0, run.output[-6000:]
    assert secretsmanager.get_secret_value(SecretId=name)["SecretString"] == "sk-ant-operator-value"
    assert "still holds a placeholder" not in run.output


def test_bucket_settings(emulator, stack):
    s3 = emulator.client("s3")
    assert s3.get_bucket_versioning(Bucket=BUCKET)["Status"] == "Enabled"
    rules = s3.get_bucket_encryption(Bucket=BUCKET)["ServerSideEncryptionConfiguration"]["Rules"]
    assert rules[0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    assert s3.get_public_access_block(Bucket=BUCKET)["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "IgnorePublicAcls": True,
        "BlockPublicPolicy": True,
        "RestrictPublicBuckets": True,
    }
    ownership = s3.get_bucket_ownership_controls(Bucket=BUCKET)["OwnershipControls"]["Rules"]
    assert ownership == [{"ObjectOwnership": "BucketOwnerEnforced"}]
    assert tags_of({"Tags": s3.get_bucket_tagging(Bucket=BUCKET)["TagSet"]}) == {**BASE_TAGS, "Name": BUCKET}
    assert s3.get_bucket_location(Bucket=BUCKET)["LocationConstraint"] == "ap-northeast-2"


def test_bucket_policy_denies_every_request_without_tls(emulator, stack):
    policy = json.loads(emulator.client("s3").get_bucket_policy(Bucket=BUCKET)["Policy"])
    [statement] = policy["Statement"]
    assert statement["Effect"] == "Deny"
    assert statement["Principal"] == "*"
    assert statement["Action"] == "s3:*"
    assert sorted(statement["Resource"]) == [f"arn:aws:s3:::{BUCKET}", f"arn:aws:s3:::{BUCKET}/*"]
    assert statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_lifecycle_rules_match_the_app_key_layout(emulator, stack):
    rules = {r["ID"]: r for r in emulator.client("s3").get_bucket_lifecycle_configuration(Bucket=BUCKET)["Rules"]}
    for category in ("workflow", "export"):
        rule = rules[f"archive-{category}"]
        assert rule["Status"] == "Enabled"
        # tenants/<tenant_id>/<category>/...: a literal prefix cannot name the category, the object tag does.
        assert rule["Filter"]["And"]["Prefix"] == "tenants/"
        assert rule["Filter"]["And"]["Tags"] == [{"Key": "triflow-category", "Value": category}]
        assert rule["Transitions"] == [{"Days": 90, "StorageClass": "GLACIER"}]
    assert rules["expire-logs"]["Filter"] == {"Prefix": "logs/"}
    assert rules["expire-logs"]["Expiration"] == {"Days": 365}
    assert rules["abort-incomplete-multipart-uploads"]["AbortIncompleteMultipartUpload"] == {"DaysAfterInitiation": 7}
    assert not any("*" in json.dumps(rule.get("Filter", {})) for rule in rules.values())


def test_out_of_band_bucket_changes_are_previewed_then_reverted(emulator, playbook, stack):
    s3 = emulator.client("s3")
    s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Suspended"})
    s3.delete_public_access_block(Bucket=BUCKET)
    s3.delete_bucket_lifecycle(Bucket=BUCKET)

    check = playbook("site.yml", LOCAL, check=True)
    assert check.rc == 0, check.output[-6000:]
    assert "versioning: Suspended -> Enabled" in check.output
    assert "public access block" in check.output
    assert check.changed(PREFIX) == 2, check.output[-4000:]  # the bucket preview and the lifecycle rules
    assert s3.get_bucket_versioning(Bucket=BUCKET)["Status"] == "Suspended", "check mode changed the bucket"

    run = playbook("site.yml", LOCAL)
    assert run.rc == 0, run.output[-6000:]
    assert s3.get_bucket_versioning(Bucket=BUCKET)["Status"] == "Enabled"
    assert s3.get_public_access_block(Bucket=BUCKET)["PublicAccessBlockConfiguration"]["BlockPublicPolicy"] is True
    assert len(s3.get_bucket_lifecycle_configuration(Bucket=BUCKET)["Rules"]) == 5


# --- Database (RDS PostgreSQL) ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def db(emulator, stack):
    rds = emulator.client("rds")
    [instance] = rds.describe_db_instances(DBInstanceIdentifier=f"{PREFIX}-db")["DBInstances"]
    return instance


def test_database_instance_settings(db):
    expected = {
        "Engine": "postgres",
        "EngineVersion": "16.6",
        "DBInstanceClass": "db.t4g.medium",
        "MultiAZ": True,
        "StorageType": "gp3",
        "AllocatedStorage": 100,
        "MaxAllocatedStorage": 200,
        "StorageEncrypted": True,
        "PubliclyAccessible": False,
        "BackupRetentionPeriod": 7,
        "PreferredBackupWindow": "18:00-19:00",
        "PreferredMaintenanceWindow": "mon:19:00-mon:20:00",
        "PerformanceInsightsEnabled": True,
        "PerformanceInsightsRetentionPeriod": 7,
        "MonitoringInterval": 60,
        "MonitoringRoleArn": f"arn:aws:iam::123456789012:role/{PREFIX}-rds-monitoring",
        "DeletionProtection": True,
        "CopyTagsToSnapshot": True,
        "AutoMinorVersionUpgrade": True,
        "MasterUsername": "triflow_admin",
        "DBName": "triflow",
    }
    assert {key: db.get(key) for key in expected} == expected
    assert sorted(db["EnabledCloudwatchLogsExports"]) == ["postgresql", "upgrade"]
    # gp3 below 400 GiB: no IOPS were set (AWS rejects them), the baseline is reported.
    assert (db["Iops"], db["StorageThroughput"]) == (3000, 125)
    assert {t["Key"]: t["Value"] for t in db["TagList"]} == {**BASE_TAGS, "Name": f"{PREFIX}-db"}


def test_database_is_private_in_the_private_subnets_behind_the_db_group(emulator, db):
    ec2 = emulator.client("ec2")
    subnets = {s["SubnetId"]: tags_of(s).get("Name") for s in ec2.describe_subnets()["Subnets"]}
    group = db["DBSubnetGroup"]
    assert group["DBSubnetGroupName"] == f"{PREFIX}-db"
    assert sorted(subnets[s["SubnetIdentifier"]] for s in group["Subnets"]) == [
        f"{PREFIX}-private-ap-northeast-2a",
        f"{PREFIX}-private-ap-northeast-2c",
    ]
    [security_group] = db["VpcSecurityGroups"]
    [described] = ec2.describe_security_groups(GroupIds=[security_group["VpcSecurityGroupId"]])["SecurityGroups"]
    assert described["GroupName"] == f"{PREFIX}-db"


def test_database_parameters(emulator, db):
    [group] = db["DBParameterGroups"]
    assert group["DBParameterGroupName"] == f"{PREFIX}-postgres16"
    rds = emulator.client("rds")
    family = rds.describe_db_parameter_groups(DBParameterGroupName=group["DBParameterGroupName"])
    assert family["DBParameterGroups"][0]["DBParameterGroupFamily"] == "postgres16"
    paginator = rds.get_paginator("describe_db_parameters")
    parameters = {
        p["ParameterName"]: p
        for page in paginator.paginate(DBParameterGroupName=group["DBParameterGroupName"])
        for p in page["Parameters"]
    }
    wanted = {
        "shared_preload_libraries": "pg_stat_statements",
        "log_statement": "mod",
        "log_min_duration_statement": "1000",
        # the app's pool (20) x its most tasks (5) + 15 kept for admins, migrations and monitoring
        "max_connections": "115",
        "rds.force_ssl": "1",
    }
    assert {name: parameters[name].get("ParameterValue") for name in wanted} == wanted
    # Static parameters the role sets wait for a reboot (AWS rejects "immediate" for them); dynamic ones apply now.
    assert parameters["max_connections"]["ApplyMethod"] == "pending-reboot"
    assert parameters["log_statement"]["ApplyMethod"] == "immediate"


def test_enhanced_monitoring_role(emulator, stack):
    iam = emulator.client("iam")
    role = iam.get_role(RoleName=f"{PREFIX}-rds-monitoring")["Role"]
    [statement] = role["AssumeRolePolicyDocument"]["Statement"]
    assert statement["Principal"] == {"Service": "monitoring.rds.amazonaws.com"}
    attached = iam.list_attached_role_policies(RoleName=f"{PREFIX}-rds-monitoring")["AttachedPolicies"]
    assert [p["PolicyArn"] for p in attached] == [
        "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"
    ]


def _connect(db, password):
    endpoint = db["Endpoint"]
    return psycopg.connect(
        host=endpoint["Address"],
        port=endpoint["Port"],
        user="triflow_admin",
        password=password,
        dbname="triflow",
        sslmode="prefer",
        connect_timeout=10,
    )


def test_master_password_is_the_generated_secret_and_pgvector_serves_rag_queries(db, stack):
    password = stack["values"][f"{PREFIX}/db-master-password"]
    with _connect(db, password) as conn:
        conn.autocommit = True
        version = conn.execute("SELECT extversion FROM pg_extension WHERE extname = 'vector'").fetchone()[0]
        assert tuple(int(part) for part in version.split(".")[:2]) >= (0, 8)
        conn.execute("CREATE TEMP TABLE chunks (id int PRIMARY KEY, embedding vector(1536))")
        rows = {1: [1.0] + [0.0] * 1535, 2: [0.0, 1.0] + [0.0] * 1534, 3: [1.0, 1.0] + [0.0] * 1534}
        for key, embedding in rows.items():
            conn.execute("INSERT INTO chunks VALUES (%s, %s::vector)", (key, str(embedding)))
        conn.execute("CREATE INDEX ON chunks USING hnsw (embedding vector_cosine_ops)")
        query = str([0.9, 0.1] + [0.0] * 1534)
        nearest = conn.execute(
            "SELECT id, embedding <=> %s::vector AS distance FROM chunks ORDER BY distance LIMIT 2", (query,)
        ).fetchall()
        assert [row[0] for row in nearest] == [1, 3]
        assert nearest[0][1] == pytest.approx(1 - 0.9 / (0.81 + 0.01) ** 0.5, abs=1e-6)


def test_a_rerun_never_resets_the_master_password(emulator, playbook, db, stack):
    rds = emulator.client("rds")
    identifier = f"{PREFIX}-db"
    rds.modify_db_instance(
        DBInstanceIdentifier=identifier, MasterUserPassword="set-by-an-operator-1", ApplyImmediately=True
    )
    run = playbook("site.yml", LOCAL)
    # The stored secret no longer opens the database: the pgvector step says so instead of resetting the password.
    assert run.rc != 0
    assert "password authentication failed" in run.output
    _connect(db, "set-by-an-operator-1").close()
    # Put the secret's password back, so the stack converges again for the other tests.
    secret = stack["values"][f"{PREFIX}/db-master-password"]
    rds.modify_db_instance(DBInstanceIdentifier=identifier, MasterUserPassword=secret, ApplyImmediately=True)
    assert playbook("site.yml", LOCAL).rc == 0
    _connect(db, secret).close()


# --- Cache (ElastiCache Redis) -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cache(emulator, stack):
    [group] = emulator.client("elasticache").describe_replication_groups(ReplicationGroupId=f"{PREFIX}-redis")[
        "ReplicationGroups"
    ]
    return group


def test_replication_group_settings(cache):
    assert cache["Status"] == "available"
    assert len(cache["MemberClusters"]) == 2, "a primary and one replica"
    assert cache["AutomaticFailover"] == "enabled"
    assert cache["MultiAZ"] == "enabled"
    assert cache["AtRestEncryptionEnabled"] is True
    assert cache["TransitEncryptionEnabled"] is True
    assert cache["AuthTokenEnabled"] is True
    assert cache["CacheNodeType"] == "cache.t4g.small"
    assert cache["SnapshotRetentionLimit"] == 5
    assert cache["SnapshotWindow"] == "17:00-18:00"
    logs = sorted((c["LogType"], c["DestinationType"], c["LogFormat"]) for c in cache["LogDeliveryConfigurations"])
    assert logs == [("engine-log", "cloudwatch-logs", "json"), ("slow-log", "cloudwatch-logs", "json")]


def test_cache_members_engine_groups_and_window(emulator, cache):
    elasticache = emulator.client("elasticache")
    for member in cache["MemberClusters"]:
        [cluster] = elasticache.describe_cache_clusters(CacheClusterId=member)["CacheClusters"]
        assert cluster["Engine"] == "redis"
        assert cluster["EngineVersion"].startswith("7.")
        assert cluster["PreferredMaintenanceWindow"] == "sun:19:00-sun:20:00"
        assert cluster["CacheParameterGroup"]["CacheParameterGroupName"] == f"{PREFIX}-redis7"
        assert cluster["CacheSubnetGroupName"] == f"{PREFIX}-redis"
        assert [g["SecurityGroupId"] for g in cluster["SecurityGroups"]]
    parameters = {
        p["ParameterName"]: p.get("ParameterValue")
        for p in elasticache.describe_cache_parameters(CacheParameterGroupName=f"{PREFIX}-redis7")["Parameters"]
    }
    assert parameters["timeout"] == "300"
    assert parameters["maxmemory-policy"] == "allkeys-lru"
    groups = elasticache.describe_cache_parameter_groups(CacheParameterGroupName=f"{PREFIX}-redis7")
    assert groups["CacheParameterGroups"][0]["CacheParameterGroupFamily"] == "redis7"


def test_cache_log_groups_keep_14_days(emulator, cache):
    logs = emulator.client("logs")
    for configuration in cache["LogDeliveryConfigurations"]:
        name = configuration["DestinationDetails"]["CloudWatchLogsDetails"]["LogGroup"]
        [group] = [
            g for g in logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"] if g["logGroupName"] == name
        ]
        assert group["retentionInDays"] == 14


def test_reprovisioning_keeps_the_deployed_image_and_the_autoscaled_count(emulator, playbook, stack):
    """SPEC defect 6: a deploy of another image and a count autoscaling set survive site.yml; drifted deployment
    settings (circuit breaker off) are put back."""
    ecs = emulator.client("ecs")
    cluster, name = PREFIX, f"{PREFIX}-backend"
    service = ecs.describe_services(cluster=cluster, services=[name])["services"][0]
    task = ecs.describe_task_definition(taskDefinition=service["taskDefinition"])["taskDefinition"]
    container = {**task["containerDefinitions"][0]}
    container["image"] = container["image"].rsplit(":", 1)[0] + ":v2.0.1"
    deployed = ecs.register_task_definition(
        family=task["family"],
        taskRoleArn=task["taskRoleArn"],
        executionRoleArn=task["executionRoleArn"],
        networkMode=task["networkMode"],
        containerDefinitions=[container],
        requiresCompatibilities=task["requiresCompatibilities"],
        cpu=task["cpu"],
        memory=task["memory"],
        runtimePlatform=task["runtimePlatform"],
    )["taskDefinition"]["taskDefinitionArn"]
    ecs.update_service(cluster=cluster, service=name, taskDefinition=deployed)
    ecs.update_service(
        cluster=cluster,
        service=name,
        desiredCount=4,
        deploymentConfiguration={
            "minimumHealthyPercent": 50,
            "maximumPercent": 200,
            "deploymentCircuitBreaker": {"enable": False, "rollback": False},
        },
    )

    run = playbook("site.yml", LOCAL)
    assert run.rc == 0, run.output[-6000:]
    after = ecs.describe_services(cluster=cluster, services=[name])["services"][0]
    # AWS reports the ARN; moto reports the family:revision UpdateService was given. The revision is what counts.
    assert after["taskDefinition"].split("/")[-1] == deployed.split("/")[-1]
    image = ecs.describe_task_definition(taskDefinition=after["taskDefinition"])["taskDefinition"]
    assert image["containerDefinitions"][0]["image"].endswith(":v2.0.1")
    assert after["desiredCount"] == 4
    assert after["deploymentConfiguration"]["minimumHealthyPercent"] == 100
    assert after["deploymentConfiguration"]["deploymentCircuitBreaker"] == {"enable": True, "rollback": True}

    again = playbook("site.yml", LOCAL)
    assert again.rc == 0 and again.changed(PREFIX) == 0, again.output[-4000:]
