environment        = "dev"
region             = "us-east-1"
availability_zones = ["us-east-1a", "us-east-1b", "us-east-1c"]
vpc_cidr           = "10.10.0.0/16"
single_nat_gateway = true

kubernetes_version             = "1.33"
cluster_endpoint_public_access = true
cluster_public_access_cidrs    = ["203.0.113.0/24"]

node_groups = {
  general = {
    instance_types = ["t3.large"]
    min_size       = 1
    max_size       = 3
    desired_size   = 2
    disk_size_gib  = 50
    capacity_type  = "SPOT"
    labels         = {}
    taints         = []
  }
  ml = {
    instance_types = ["c6i.xlarge"]
    min_size       = 1
    max_size       = 2
    desired_size   = 1
    disk_size_gib  = 50
    capacity_type  = "SPOT"
    labels         = {}
    taints         = [{ key = "imagineai.dev/pool", value = "ml", effect = "NO_SCHEDULE" }]
  }
}

db_instance_class        = "db.t4g.medium"
db_multi_az              = false
db_deletion_protection   = false
db_backup_retention_days = 7

redis_node_type     = "cache.t4g.small"
redis_replica_count = 0

mq_instance_type = "mq.t3.micro"
mq_cluster_mode  = false

images_bucket_name          = "imagineai-dev-images"
images_bucket_force_destroy = true
spa_origins                 = ["https://dev.imagineai.example.com"]

bedrock_region    = "us-east-1"
bedrock_model_ids = ["anthropic.claude-3-5-sonnet-20240620-v1:0"]

log_retention_days = 365
