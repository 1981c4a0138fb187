environment        = "staging"
region             = "us-east-1"
availability_zones = ["us-east-1a", "us-east-1b", "us-east-1c"]
vpc_cidr           = "10.20.0.0/16"
single_nat_gateway = false

kubernetes_version             = "1.33"
cluster_endpoint_public_access = false

node_groups = {
  general = {
    instance_types = ["m6i.large"]
    min_size       = 2
    max_size       = 4
    desired_size   = 2
    disk_size_gib  = 50
    capacity_type  = "ON_DEMAND"
    labels         = {}
    taints         = []
  }
  ml = {
    instance_types = ["c6i.2xlarge"]
    min_size       = 1
    max_size       = 4
    desired_size   = 2
    disk_size_gib  = 80
    capacity_type  = "SPOT"
    labels         = {}
    taints         = [{ key = "imagineai.dev/pool", value = "ml", effect = "NO_SCHEDULE" }]
  }
}

db_instance_class        = "db.r6g.large"
db_multi_az              = true
db_deletion_protection   = true
db_backup_retention_days = 7

redis_node_type     = "cache.r7g.large"
redis_replica_count = 1

mq_instance_type = "mq.m5.large"
mq_cluster_mode  = true

images_bucket_name = "imagineai-staging-images"
spa_origins        = ["https://staging.imagineai.example.com"]

bedrock_region    = "us-east-1"
bedrock_model_ids = ["anthropic.claude-3-5-sonnet-20240620-v1:0"]

log_retention_days = 365
