variable "name" {
  description = "Prefix for every resource name (e.g. imagineai-prod)."
  type        = string
}

variable "cidr_block" {
  description = "CIDR of the VPC."
  type        = string

  validation {
    condition     = can(cidrhost(var.cidr_block, 0))
    error_message = "cidr_block must be a valid IPv4 CIDR."
  }
}

variable "availability_zones" {
  description = "Availability zones, one subnet of each tier per zone."
  type        = list(string)

  validation {
    condition     = length(var.availability_zones) >= 2
    error_message = "EKS and the multi-AZ data stores need at least two availability zones."
  }
}

variable "public_subnet_cidrs" {
  description = "Public subnets (load balancers and NAT gateways only), one per zone."
  type        = list(string)
}

variable "private_subnet_cidrs" {
  description = "Private subnets for EKS nodes (API, workers), egress through NAT, one per zone."
  type        = list(string)
}

variable "data_subnet_cidrs" {
  description = "Isolated subnets for RDS, ElastiCache and Amazon MQ: no route to the internet."
  type        = list(string)
}

variable "single_nat_gateway" {
  description = "One NAT gateway for all zones (cheaper, for dev) instead of one per zone."
  type        = bool
  default     = false
}

variable "cluster_name" {
  description = "EKS cluster name, used for the subnet discovery tags of the load balancer controller."
  type        = string
}

variable "kms_key_arn" {
  description = "KMS key encrypting the flow-log group."
  type        = string
}

variable "flow_log_retention_days" {
  description = "Retention of the VPC flow logs in CloudWatch."
  type        = number
  default     = 365
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
