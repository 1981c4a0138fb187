variable "cluster_name" {
  description = "Name of the EKS cluster."
  type        = string
}

variable "kubernetes_version" {
  description = "Kubernetes minor version of the control plane and the nodes."
  type        = string
  default     = "1.33"
}

variable "subnet_ids" {
  description = "Private subnets for the control-plane interfaces and the nodes."
  type        = list(string)
}

variable "endpoint_public_access" {
  description = "Expose the Kubernetes API endpoint publicly (restricted to public_access_cidrs)."
  type        = bool
  default     = false
}

variable "public_access_cidrs" {
  description = "CIDRs allowed to reach a public API endpoint (operators' and CI's addresses)."
  type        = list(string)
  default     = []
}

variable "kms_key_arn" {
  description = "KMS key for envelope encryption of Kubernetes Secrets, the log group and node volumes."
  type        = string
}

variable "log_retention_days" {
  description = "Retention of the control-plane logs."
  type        = number
  default     = 365
}

variable "node_groups" {
  description = <<-EOT
    Managed node groups. "general" runs the API, admin, beat and frontend; "ml" runs the Celery
    workers (labelled imagineai.dev/pool=ml and tainted so that only workers land there).
  EOT
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

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
