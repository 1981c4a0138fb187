variable "environment" {
  description = "Environment name: dev, staging or prod."
  type        = string

  validation {
    condition     = contains(["dev", "staging", "prod"], var.environment)
    error_message = "environment must be dev, staging or prod."
  }
}

variable "region" {
  description = "AWS region of the deployment."
  type        = string
}

variable "availability_zones" {
  description = "Availability zones (three for the multi-AZ broker cluster)."
  type        = list(string)
}

variable "vpc_cidr" {
  description = "CIDR of the VPC; public, private and data subnets are carved from it."
  type        = string
}

variable "single_nat_gateway" {
  description = "One NAT gateway for all zones (dev) instead of one per zone."
  type        = bool
}

variable "kubernetes_version" {
  description = "EKS Kubernetes version; the manifests are validated against this version's schemas."
  type        = string
}

variable "cluster_endpoint_public_access" {
  description = "Expose the Kubernetes API endpoint publicly (restricted to cluster_public_access_cidrs)."
  type        = bool
}

variable "cluster_public_access_cidrs" {
  description = "CIDRs allowed to reach a public Kubernetes API endpoint."
  type        = list(string)
  default     = []
}

variable "node_groups" {
  description = "EKS managed node groups (see modules/eks)."
  type = map(object({
    instance_types = list(string)
    min_size       = number
    max_size       = number
    desired_size   = number
    disk_size_gib  = number
    capacity_type  = string
    labels         = map(string)
    taints = list(object({
      key    = string
      value  = string
      effect = string
    }))
  }))
}

variable "db_instance_class" {
  description = "RDS instance class."
  type        = string
}

variable "db_multi_az" {
  description = "RDS standby in a second zone."
  type        = bool
}

variable "db_deletion_protection" {
  description = "Refuse deletion of the RDS instance."
  type        = bool
}

variable "db_backup_retention_days" {
  description = "RDS automated backup retention."
  type        = number
}

variable "redis_node_type" {
  description = "ElastiCache node type."
  type        = string
}

variable "redis_replica_count" {
  description = "ElastiCache replicas besides the primary."
  type        = number
}

variable "mq_instance_type" {
  description = "Amazon MQ instance type."
  type        = string
}

variable "mq_cluster_mode" {
  description = "Three-node multi-AZ RabbitMQ cluster."
  type        = bool
}

variable "images_bucket_name" {
  description = "Name of the image bucket."
  type        = string
}

variable "images_bucket_force_destroy" {
  description = "Allow destroying a bucket that still holds images (dev only)."
  type        = bool
  default     = false
}

variable "spa_origins" {
  description = "https:// origins of the SPA (S3 CORS)."
  type        = list(string)
}

variable "bedrock_region" {
  description = "Region of the Bedrock model."
  type        = string
}

variable "bedrock_model_ids" {
  description = "Bedrock models the description generator may invoke."
  type        = list(string)
}

variable "log_retention_days" {
  description = "Retention of the CloudWatch log groups."
  type        = number
  default     = 365
}
