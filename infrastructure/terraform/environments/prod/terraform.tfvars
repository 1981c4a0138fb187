environment        = "prod"
region             = "us-east-1"
availability_zones = ["us-east-1a", "us-east-1b", "us-east-1c"]
vpc_cidr           = "10.30.0.0/16"
single_nat_gateway = false

kubernetes_version             = "1.33"
cluster_endpoint_public_access = false

node_groups = {
  general = {
    instance_types = ["m6i.xlarge"]
    min_size       = 3
    max_size       = 9
    desired_size   = 3
    disk_size_gib  = 80
    capacity_type  = "ON_DEMAND"
    labels         = {}
    taints         = []
  }
  ml = {
    instance_types = ["c6i.4xlarge"]
    min_size       = 2
    max_size       = 20
    desired_size   = 3
    disk_size_gib  = 100
    capacity_type  = "ON_DEMAND"
    labels         = {}
    taints         = [{ key = "imagineai.dev/pool", value = "ml", effect = "NO_SCHEDULE" }]
  }
}

db_instance_class        = "db.r6g.xlarge"
db_multi_az              = true
db_deletion_protection   = true
db_backup_retention_days = 30

redis_node_type     = "cache.r7g.large"
redis_replica_count = 2

mq_instance_type = "mq.m5.large"
mq_cluster_mode  = true

images_bucket_name = "imagineai-prod-images"
spa_origins        = ["https://imagineai.example.com"]

bedrock_region    = "us-east-1"
bedrock_model_ids = ["anthropic.claude-3-5-sonnet-20240620-v1:0"]

log_retention_days = 731
